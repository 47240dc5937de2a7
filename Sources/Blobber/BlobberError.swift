public import StorageProtocol

/// Why the blobber refused a request. Codes are stable and listed in docs/PROTOCOL.md section 8.
public enum BlobberError: CodedError, Equatable {
    case unknownAllocation(AllocationID)
    case expiredAllocation(AllocationID, expiry: Int64)
    case notABlobber(AllocationID)
    case capacityExceeded(requested: UInt64, free: UInt64)
    case badUploadID(String)
    case badLength(String)
    case offsetMismatch(expected: UInt64, got: UInt64)
    case uploadTooLarge(shardSize: UInt64)
    case unknownUpload(String)
    case incompleteUpload(String, received: UInt64, shardSize: UInt64)
    case uploadBusy(String)
    case uploadMismatch(path: String, reason: String)
    case notFound(path: String)
    case renameMismatch(path: String)
    case duplicatePath(String)
    case noChanges
    case nothingToUndo
    case readNotFound(path: String)
    case badRange(reason: String)
    case malformed(String)
    case bodyTooLarge(limit: Int)
    case ledgerUnreachable(String)
    /// The ledger answered, and refused this blobber's registration (or the test faucet its stake).
    case registrationRefused(code: String, message: String, hint: String)
    case badShareKey(String)

    public var code: String {
        switch self {
        case .unknownAllocation: "allocation.unknown"
        case .expiredAllocation: "allocation.expired"
        case .notABlobber: "allocation.not_a_blobber"
        case .capacityExceeded: "allocation.capacity_exceeded"
        case .badUploadID: "upload.bad_id"
        case .badLength: "upload.bad_length"
        case .offsetMismatch: "upload.offset_mismatch"
        case .uploadTooLarge: "upload.too_large"
        case .unknownUpload: "upload.unknown"
        case .incompleteUpload: "upload.incomplete"
        case .uploadBusy: "upload.busy"
        case .uploadMismatch: "commit.upload_mismatch"
        case .notFound: "commit.not_found"
        case .renameMismatch: "commit.rename_mismatch"
        case .duplicatePath: "commit.duplicate_path"
        case .noChanges: "commit.empty"
        case .nothingToUndo: "rollback.nothing_to_undo"
        case .readNotFound: "read.not_found"
        case .badRange: "read.bad_range"
        case .malformed: "request.malformed"
        case .bodyTooLarge: "request.too_large"
        case .ledgerUnreachable: "ledger.unreachable"
        case .registrationRefused: "blobber.registration_refused"
        case .badShareKey: "share.bad_key"
        }
    }

    public var description: String {
        switch self {
        case .unknownAllocation(let id): "allocation \(id) is not on the ledger"
        case .expiredAllocation(let id, let expiry): "allocation \(id) expired at \(expiry)"
        case .notABlobber(let id): "this blobber is not one of allocation \(id)'s blobbers"
        case .capacityExceeded(let requested, let free):
            "\(requested) bytes do not fit in this blobber's free share of the allocation (\(free) bytes)"
        case .badUploadID(let id): "upload id \(id.debugDescription) must be 1 to 64 characters of [A-Za-z0-9_-]"
        case .badLength(let reason): "bad shard length: \(reason)"
        case .offsetMismatch(let expected, let got): "upload offset \(got) is not the staged length \(expected)"
        case .uploadTooLarge(let shardSize): "the body carries more than the announced \(shardSize) bytes"
        case .unknownUpload(let id): "no staged upload \(id)"
        case .incompleteUpload(let id, let received, let shardSize):
            "upload \(id) has \(received) of \(shardSize) bytes"
        case .uploadBusy(let id): "upload \(id) is receiving bytes on another request"
        case .uploadMismatch(let path, let reason): "the entry for \(path) does not match its upload: \(reason)"
        case .notFound(let path): "\(path) does not exist"
        case .renameMismatch(let path): "renaming to \(path) changes the file's content fields"
        case .duplicatePath(let path): "\(path) appears more than once in one commit"
        case .noChanges: "a commit needs at least one change"
        case .nothingToUndo: "there is no commit to roll back"
        case .readNotFound(let path): "\(path) does not exist"
        case .badRange(let reason): "bad block range: \(reason)"
        case .malformed(let reason): "malformed request: \(reason)"
        case .bodyTooLarge(let limit): "the body exceeds \(limit) bytes"
        case .ledgerUnreachable(let reason): "the ledger could not be reached: \(reason)"
        case .registrationRefused(let code, let message, let hint):
            "the ledger refused this blobber's registration (\(code): \(message))\(hint.isEmpty ? "" : "; " + hint)"
        case .badShareKey(let reason): "bad re-encryption key: \(reason)"
        }
    }
}
