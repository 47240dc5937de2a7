public import Client
import Foundation
public import Merkle
public import StorageProtocol

/// What the gateway keeps with a pegged value (in its metadata, `ObjectMeta.peg`): the `peg`
/// transaction's id, and the hash and uri it recorded (docs/GATEWAY.md, "Pegging").
public struct PegReference: Sendable, Codable, Equatable {
    /// The peg transaction's hash, hex.
    public var txid: String
    /// The value's SHA-256 as pegged, hex.
    public var hash: String
    public var uri: String
}

/// Pegs values on the ledger with the gateway's wallet and checks pegs against it, through the client
/// library's `LedgerClient` only.
public struct Pegger: Sendable {
    public let ledger: LedgerClient
    /// The gateway's wallet: it signs every peg, and `verify` accepts no peg signed by another key.
    public let key: SigningKey

    public init(ledger: LedgerClient, key: SigningKey) {
        self.ledger = ledger
        self.key = key
    }

    /// RFC 3986's unreserved characters and `/`: what a peg's uri keeps as is.
    static let uriPathCharacters = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")

    /// `blobnet://ALLOCATION/PATH`: the allocation's hex id and the value's path in it, percent-encoded
    /// as an RFC 3986 path (every byte but unreserved characters and `/`). A key whose uri would exceed
    /// the peg's 2,048 bytes is `gateway.invalid_key`.
    public static func uri(allocation: AllocationID, path: RemotePath) throws(GatewayError) -> String {
        // Foundation encodes each byte of the UTF-8 outside the set as %XX (upper-case hex digits).
        guard let encoded = path.string.addingPercentEncoding(withAllowedCharacters: uriPathCharacters) else {
            throw .local("the path \(path) cannot be percent-encoded")
        }
        let out = "blobnet://" + allocation.hex + encoded
        guard out.utf8.count <= PegPayload.maxURIBytes else {
            throw .invalidKey(
                reason: "the key is too long to peg: its uri would be \(out.utf8.count) bytes, at most "
                    + "\(PegPayload.maxURIBytes) are allowed")
        }
        return out
    }

    /// Submits the peg of `sha256` (32 bytes) at `uri`; `gateway.peg_failed` when the ledger cannot be
    /// reached or refuses.
    public func peg(sha256: [UInt8], uri: String) async throws(GatewayError) -> PegReference {
        guard let hash = Hash(bytes: sha256) else { throw .local("a SHA-256 of \(sha256.count) bytes") }
        let receipt: TransactionReceipt
        do throws(ClientError) {
            receipt = try await ledger.peg(hash: hash, uri: uri, key: key)
        } catch {
            throw .pegFailed("the ledger did not record the peg (\(error.code)): \(error.description)")
        }
        return PegReference(txid: receipt.hash.hex, hash: hash.hex, uri: uri)
    }

    /// The ledger's record of `reference`, checked against what the gateway expects: the transaction is
    /// a peg signed by this gateway's wallet whose hash and uri are the reference's and whose uri is
    /// `uri`. Any difference is `gateway.peg_mismatch`; no answer from the ledger is `gateway.peg_failed`.
    public func check(_ reference: PegReference, uri: String) async throws(GatewayError) -> PegRecord {
        guard let txid = Hash(hex: reference.txid) else {
            throw .pegMismatch(
                "the stored txid \(reference.txid.prefix(80).debugDescription) is not a transaction hash")
        }
        let record: PegRecord
        do throws(ClientError) {
            record = try await ledger.peg(txid)
        } catch {
            switch error {
            case .ledgerRefused(let code, _) where code == "ledger.unknown_transaction":
                throw .pegMismatch("the ledger has no transaction \(txid)")
            case .invalidArgument(let text): throw .pegMismatch(text)
            default: throw .pegFailed("cannot read peg \(txid) from the ledger (\(error.code)): \(error.description)")
            }
        }
        guard record.publicKey == key.publicKey else {
            throw .pegMismatch(
                "peg \(txid) is signed by \(record.publicKey), not by this gateway's wallet \(key.publicKey)")
        }
        guard record.uri == uri, reference.uri == uri else {
            throw .pegMismatch(
                "peg \(txid) names \(record.uri.prefix(256).debugDescription), not \(uri.debugDescription)")
        }
        guard record.hash.hex == reference.hash else {
            throw .pegMismatch("peg \(txid) records hash \(record.hash), the metadata says \(reference.hash)")
        }
        return record
    }
}
