import Foundation
import GRDB
import Merkle
import StorageProtocol

extension Row {
    func hash(_ column: String) -> Hash {
        let data: Data = self[column]
        return Hash(bytes: data) ?? .zero
    }

    func optionalHash(_ column: String) -> Hash? {
        let data: Data? = self[column]
        return data.flatMap { Hash(bytes: $0) }
    }

    func publicKey(_ column: String) -> PublicKey {
        let data: Data = self[column]
        // The schema checks the length; a tampered row is caught by `ledger verify`.
        return (try? PublicKey(bytes: data)) ?? (try! PublicKey(bytes: [UInt8](repeating: 0, count: 32)))
    }

    func units(_ column: String) -> UInt64 {
        let value: Int64 = self[column]
        return UInt64(clamping: value)
    }
}

extension BlobberRecord {
    init(row: Row) {
        self.init(
            id: BlobberID(row.hash("id")), publicKey: row.publicKey("public_key"), url: row["url"],
            capacity: row.units("capacity"), used: row.units("used"), readPrice: row.units("read_price"),
            writePrice: row.units("write_price"), region: row["region"], stake: row.units("stake"),
            registeredAt: row["registered_at"])
    }
}

extension AllocationRecord {
    init(row: Row) {
        self.init(
            id: AllocationID(row.hash("id")), ownerID: ClientID(row.hash("owner_id")), ownerKey: row.publicKey("owner_key"),
            dataShards: row["data_shards"], parityShards: row["parity_shards"], size: row.units("size"),
            shardSize: row.units("shard_size"), createdAt: row["created_at"], expiry: row["expiry"],
            writePool: row.units("write_pool"), finalized: (row["finalized"] as Int64) != 0)
    }
}

extension AllocationBlobberRecord {
    init(row: Row) {
        let sequence: Int64 = row["sequence"]
        self.init(
            allocationID: AllocationID(row.hash("allocation_id")), blobberID: BlobberID(row.hash("blobber_id")),
            shardIndex: row["shard_index"], writePrice: row.units("write_price"),
            head: MarkerChainHead(
                sequence: UInt64(bitPattern: sequence), allocationRoot: row.hash("allocation_root"),
                chainHash: row.optionalHash("chain_hash"), chainSize: row.units("chain_size"),
                timestamp: row["marker_timestamp"]),
            highWater: row.units("high_water"), paid: row.units("paid"), challengePool: row.units("challenge_pool"))
    }
}

extension ChallengeRecord {
    init(row: Row) {
        self.init(
            id: row.hash("id"), allocationID: AllocationID(row.hash("allocation_id")),
            blobberID: BlobberID(row.hash("blobber_id")), root: row.hash("root"), seed: row.hash("seed"),
            issuedAt: row["issued_at"], deadline: row["deadline"],
            status: Status(rawValue: row["status"]) ?? .failed)
    }
}
