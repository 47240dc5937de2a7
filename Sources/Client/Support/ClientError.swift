import Merkle
public import StorageProtocol

extension RemotePath {
    /// `text` as a remote path, or `client.invalid_argument` saying why it is not one.
    public static func parse(_ text: String) throws(ClientError) -> RemotePath {
        do { return try RemotePath(normalizing: text) } catch { throw .invalidArgument(error.description) }
    }
}

/// Why a client operation failed: what went wrong and, in `description`, what to do about it.
/// Codes are stable and listed in docs/PROTOCOL.md section 10.
public enum ClientError: CodedError, Equatable {
    case noWallet(home: String)
    case walletExists(path: String)
    case settingsMalformed(path: String, reason: String)
    case noLedger
    case noAllocation
    case invalidArgument(String)
    case ledgerUnreachable(url: String, reason: String)
    case ledgerRefused(code: String, message: String)
    case blobberUnreachable(blobber: BlobberID, reason: String)
    case blobberRefused(blobber: BlobberID, status: Int, code: String, message: String)
    case badAnswer(blobber: BlobberID, reason: String)
    case notEnoughBlobbers(needed: Int, suitable: Int, detail: String)
    case notOwner(allocation: AllocationID)
    case localFile(path: String, reason: String)
    /// The wallet's key file is missing its rules (mode, shape, seed): the key file's own `key.file_*` code.
    case keyFile(KeyError)
    case fileChanged(path: String)
    case remoteNotFound(path: String)
    case remoteExists(path: String)
    case blobberDiverged(blobber: BlobberID, reason: String)
    case consensusFailed(succeeded: Int, required: Int, failures: [String])
    case tooFewGoodBlobbers(path: String, good: Int, required: Int, failures: [String])
    case integrity(path: String, reason: String)
    case ticket(reason: String)
    case allocationFull(needed: UInt64, free: UInt64)
    case allocationExpired(allocation: AllocationID, expiry: Int64)
    case allocationBusy(allocation: AllocationID, lockFile: String, holder: String)

    public var code: String {
        switch self {
        case .noWallet: "client.no_wallet"
        case .walletExists: "client.wallet_exists"
        case .settingsMalformed: "client.settings_malformed"
        case .noLedger: "client.no_ledger"
        case .noAllocation: "client.no_allocation"
        case .invalidArgument: "client.invalid_argument"
        case .ledgerUnreachable: "client.ledger_unreachable"
        case .ledgerRefused(let code, _): code
        case .blobberUnreachable: "client.blobber_unreachable"
        case .blobberRefused(_, _, let code, _): code
        case .badAnswer: "client.bad_answer"
        case .notEnoughBlobbers: "client.not_enough_blobbers"
        case .notOwner: "client.not_owner"
        case .localFile: "client.local_file"
        case .keyFile(let error): error.code
        case .fileChanged: "client.file_changed"
        case .remoteNotFound: "client.remote_not_found"
        case .remoteExists: "client.remote_exists"
        case .blobberDiverged: "client.blobber_diverged"
        case .consensusFailed: "client.consensus_failed"
        case .tooFewGoodBlobbers: "client.too_few_good_blobbers"
        case .integrity: "client.integrity"
        case .ticket: "client.bad_ticket"
        case .allocationFull: "client.allocation_full"
        case .allocationExpired: "client.allocation_expired"
        case .allocationBusy: "client.allocation_busy"
        }
    }

    public var description: String {
        switch self {
        case .noWallet(let home):
            "no wallet in \(home): run `blob wallet create` (or point --home / BLOB_HOME at the folder holding one)"
        case .walletExists(let path): "a wallet already exists at \(path); it is never overwritten"
        case .settingsMalformed(let path, let reason): "settings file \(path) is not valid: \(reason); fix or delete it"
        case .noLedger:
            "no ledger address: pass --ledger http://HOST:PORT once (it is remembered) or set it in config.json"
        case .noAllocation:
            "no allocation given and no default: pass --alloc ID, or create one with `blob alloc new`"
        case .invalidArgument(let text): text
        case .ledgerUnreachable(let url, let reason):
            "cannot reach the ledger at \(url): \(reason); check that it runs and the address is right"
        case .ledgerRefused(let code, let message): "the ledger refused: \(message) (\(code))"
        case .blobberUnreachable(let blobber, let reason): "blobber \(blobber.short) is unreachable: \(reason)"
        case .blobberRefused(let blobber, let status, let code, let message):
            "blobber \(blobber.short) refused (HTTP \(status)): \(message) (\(code))"
        case .badAnswer(let blobber, let reason): "blobber \(blobber.short) answered something invalid: \(reason)"
        case .notEnoughBlobbers(let needed, let suitable, let detail):
            "need \(needed) blobbers but only \(suitable) are suitable (\(detail)); lower --data/--parity or --size, or drop --region"
        case .notOwner(let allocation): "this wallet does not own allocation \(allocation.short)"
        case .localFile(let path, let reason): "cannot use local file \(path): \(reason)"
        case .keyFile(let error): "the wallet cannot be used: \(error.description)"
        case .fileChanged(let path):
            "\(path) changed or vanished while it was being read; nothing was committed, try again once it is stable"
        case .remoteNotFound(let path): "\(path) does not exist in the allocation; `blob ls` shows what does"
        case .remoteExists(let path):
            "\(path) already exists in the allocation; nothing was changed (pass --force to replace it)"
        case .blobberDiverged(let blobber, let reason):
            "blobber \(blobber.short) is not at the state this wallet last signed (\(reason)); run `blob repair`"
        case .consensusFailed(let succeeded, let required, let failures):
            "only \(succeeded) blobbers succeeded, \(required) are needed; every blobber was put back where it was. Failures: "
                + failures.joined(separator: "; ")
        case .tooFewGoodBlobbers(let path, let good, let required, let failures):
            "cannot read \(path): only \(good) blobbers gave verifiable data, \(required) are needed. Failures: "
                + failures.joined(separator: "; ")
        case .integrity(let path, let reason): "\(path) failed verification: \(reason)"
        case .ticket(let reason): "the share ticket cannot be used: \(reason)"
        case .allocationFull(let needed, let free):
            "the allocation is full: after this change each blobber would store \(Sizes.format(bytes: needed)), more "
                + "than its share, which has \(Sizes.format(bytes: free)) free; nothing was changed. Delete files, or "
                + "grow the allocation with `blob alloc update --size SIZE`"
        case .allocationExpired(let allocation, let expiry):
            "allocation \(allocation.short) expired at \(Clock.describe(millis: expiry)); blobbers take no more writes "
                + "to it. Create a new one with `blob alloc new`"
        case .allocationBusy(let allocation, let lockFile, let holder):
            "another write to allocation \(allocation.short) from this wallet folder is running"
                + (holder.isEmpty ? "" : " (\(holder))")
                + " and held its lock \(lockFile) too long; nothing was changed, try again once it has finished"
        }
    }
}

extension ClientError {
    /// The description without the blobber's name, for lists that name the blobber already
    /// (`#2 3fa9c1d0 http://…: unreachable: …`).
    public var detail: String {
        switch self {
        case .blobberUnreachable(_, let reason): "unreachable: \(reason)"
        case .blobberRefused(_, let status, let code, let message): "refused (HTTP \(status)): \(message) (\(code))"
        case .badAnswer(_, let reason): "answered something invalid: \(reason)"
        case .blobberDiverged(_, let reason): "not at the state this wallet last signed (\(reason)); run `blob repair`"
        default: description
        }
    }
}

extension Identifier {
    /// The first 12 hex digits, for messages.
    public var short: String { String(hex.prefix(12)) }
}
