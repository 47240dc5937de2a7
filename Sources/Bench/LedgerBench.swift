import Dispatch
import Foundation
import Synchronization
import Ledger
import Merkle
import StorageProtocol

/// End-to-end figures for `ledger bench`: chain verification into an on-disk ledger, and replay.
public enum LedgerBench {
    public struct Figures: Sendable {
        /// Markers per second for verify + record of one chain (signatures included), best round.
        public var chainVerify: Double
        /// Markers per second for `ledger verify` over the resulting log.
        public var replay: Double
        public var replaySeconds: Double
        public var markers: Int
        /// The floor measured in the same run: libsodium Ed25519 verifications per second of the same
        /// markers' signatures over their precomputed hashes, on one core and on every core.
        public var rawVerifyOneCore: Double
        public var rawVerifyAllCores: Double
        public var cores: Int
    }

    /// Runs `rounds` submissions of a `markers`-marker chain (each on its own allocation) into a ledger
    /// in a temporary folder, then verifies the whole log.
    public static func run(markers: Int, rounds: Int = 3) throws -> Figures {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ledger-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let time = ManualTime(1_750_000_000_000)
        let ledger = try Ledger.open(
            directory: directory, rules: LedgerRules(faucet: true, faucetMax: UInt64(Int64.max)),
            clock: .manual(time))
        @discardableResult
        func submit(_ kind: TransactionKind, _ payload: some Encodable, _ key: SigningKey, nonce: UInt64) throws
            -> TransactionReceipt
        {
            try ledger.submitSync(LedgerTransaction.make(kind, payload: payload, key: key, nonce: nonce, timestamp: time.value))
        }
        let owner = SigningKey.generate()
        let blobber = SigningKey.generate()
        try submit(.faucet, FaucetPayload(amount: 1 << 60), owner, nonce: 1)
        try submit(.faucet, FaucetPayload(amount: 1 << 40), blobber, nonce: 2)
        try submit(
            .registerBlobber,
            RegisterBlobberPayload(
                url: "http://127.0.0.1:1", capacity: 1 << 50, readPrice: 1, writePrice: 1 << 20, region: "bench",
                stake: 1 << 30), blobber, nonce: 3)
        var best = 0.0
        var rawOne = 0.0
        var rawAll = 0.0
        for round in 0..<rounds {
            let receipt = try submit(
                .createAllocation,
                CreateAllocationPayload(
                    dataShards: 1, parityShards: 0, size: 1 << 40, expiry: time.value + 86_400_000,
                    blobbers: [blobber.publicKey.blobberID], writePool: 1 << 40), owner, nonce: UInt64(10 + round))
            guard let allocation = receipt.result.allocationID else { throw LedgerError.storage("no allocation") }
            let chain = makeChain(owner: owner, allocation: allocation, blobber: blobber.publicKey.blobberID, count: markers, time: time.value)
            let tx = LedgerTransaction.make(
                .submitChain, payload: SubmitChainPayload(allocationID: allocation, markers: chain), key: blobber,
                nonce: UInt64(100 + round), timestamp: time.value)
            let (one, all) = rawVerify(chain, owner: owner.publicKey)
            rawOne = max(rawOne, one)
            rawAll = max(rawAll, all)
            let start = ContinuousClock.now
            let result = try ledger.submitSync(tx)
            let elapsed = ContinuousClock.now - start
            guard result.result.markersAccepted == markers else { throw LedgerError.storage("chain not accepted") }
            best = max(best, Double(markers) / elapsed.secondsValue)
            _ = try ledger.sealBlockSync()
            time.advance(by: 1000)
        }
        let summary = try LedgerVerifier.verify(ledger.database)
        return Figures(
            chainVerify: best, replay: Double(summary.markers) / summary.seconds, replaySeconds: summary.seconds,
            markers: summary.markers, rawVerifyOneCore: rawOne, rawVerifyAllCores: rawAll,
            cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Signature checks alone, hashes computed beforehand: one core, then every core.
    static func rawVerify(_ chain: [WriteMarker], owner: PublicKey) -> (oneCore: Double, allCores: Double) {
        let signed = chain.compactMap { marker in marker.signature.map { ($0, marker.hash) } }
        @Sendable func check(_ range: Range<Int>) -> Int {
            var valid = 0
            for index in range where owner.isValidSignature(signed[index].0, over: signed[index].1) { valid += 1 }
            return valid
        }
        var start = ContinuousClock.now
        let serial = check(0..<signed.count)
        let one = Double(serial) / (ContinuousClock.now - start).secondsValue
        let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunk = (signed.count + workers - 1) / workers
        let counted = Mutex(0)
        start = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let valid = check((worker * chunk)..<min(signed.count, (worker + 1) * chunk))
            counted.withLock { $0 += valid }
        }
        let all = Double(counted.withLock { $0 }) / (ContinuousClock.now - start).secondsValue
        return (one, all)
    }

    static func makeChain(owner: SigningKey, allocation: AllocationID, blobber: BlobberID, count: Int, time: Int64)
        -> [WriteMarker]
    {
        var head = MarkerChainHead.genesis
        var chain = [WriteMarker]()
        chain.reserveCapacity(count)
        for index in 0..<count {
            var hasher = SHA256()
            hasher.update(hash: allocation.hash)
            hasher.update(uint64: UInt64(index))
            let root = hasher.finalize()
            let size: Int64 = index % 5 == 4 ? -4096 : 65_536
            let marker = WriteMarker(
                allocationID: allocation, blobberID: blobber, clientID: owner.publicKey.clientID,
                sequence: head.sequence + 1, allocationRoot: root, previousAllocationRoot: head.allocationRoot,
                fileMetaRoot: root, size: size, chainSize: UInt64(Int64(head.chainSize) + size),
                chainHash: WriteMarker.chainHash(previous: head.chainHash, root: root), timestamp: time
            ).signed(with: owner)
            chain.append(marker)
            head = marker.head
        }
        return chain
    }
}

extension Duration {
    var secondsValue: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
