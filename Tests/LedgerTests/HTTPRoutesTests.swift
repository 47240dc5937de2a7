import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import Logging
import Merkle
import NIOCore
import StorageProtocol
import TestProcesses
import Testing

/// The HTTP API in process (router test client): what a blobber or client reads from the ledger.
@Suite struct HTTPRoutesTests {
    @Test func readEndpointsShowTheState() async throws {
        let setup = try await ChainTests.Setup()
        let network = setup.network
        let blobber = setup.blobbers[0]
        let markers = network.chain(owner: setup.owner, allocation: setup.allocation, blobber: blobber, sizes: [4096])
        try await network.submitChain(markers, allocation: setup.allocation, by: blobber)
        try await network.ledger.sealBlock()
        // The router test framework runs the application's services: a block sealer on the default
        // one-second interval sealed a block of its own whenever this test ran slowly (a busy machine), so
        // the receipt below landed in block 3. Only the test seals here.
        let app = buildLedgerApplication(
            configuration: LedgerConfiguration(
                dataDirectory: nil, blockInterval: .seconds(3600), emptyBlockInterval: .seconds(3600),
                challengeInterval: 0),
            ledger: network.ledger, logger: Logger(label: "test"))
        let allocation = setup.allocation
        let head = markers[0].head
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/allocations/\(allocation.hex)", method: .get) { response in
                #expect(response.status == .ok)
                let view = try JSONDecoder().decode(AllocationView.self, from: Data(buffer: response.body))
                #expect(view.allocation.id == allocation)
                #expect(view.blobbers.first { $0.blobberID == blobber.publicKey.blobberID }?.head == head)
            }
            try await client.execute(uri: "/v1/blocks/latest", method: .get) { response in
                let block = try JSONDecoder().decode(Block.self, from: Data(buffer: response.body))
                #expect(block.height == 1)
                #expect(block.computedHash == block.hash)
            }
            try await client.execute(uri: "/v1/blobbers", method: .get) { response in
                let blobbers = try JSONDecoder().decode([BlobberRecord].self, from: Data(buffer: response.body))
                #expect(blobbers.count == 3)
            }
            try await client.execute(uri: "/v1/blobbers/\(blobber.id.hex)", method: .get) { response in
                let record = try JSONDecoder().decode(BlobberRecord.self, from: Data(buffer: response.body))
                #expect(record.used == 3 << 19)
            }
            try await client.execute(uri: "/v1/accounts/\(blobber.id.hex)", method: .get) { response in
                let account = try JSONDecoder().decode(AccountView.self, from: Data(buffer: response.body))
                #expect(account.balance == 2048)
            }
            try await client.execute(uri: "/v1/challenges?blobber=\(blobber.id.hex)&status=open", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "[]")
            }
            try await client.execute(uri: "/v1/challenges?status=nonsense", method: .get) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/v1/blocks/77", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try JSONDecoder().decode(LedgerErrorBody.self, from: Data(buffer: response.body))
                #expect(body.code == "ledger.unknown_block")
            }
            // A refused chain over HTTP: 422 with the marker's index.
            var bad = network.chain(
                owner: setup.owner, allocation: allocation, blobber: blobber, from: head, sizes: [1, 1], tag: "http")
            bad[1].sequence = 9
            bad[1].sign(with: setup.owner)
            let tx = network.transaction(.submitChain, SubmitChainPayload(allocationID: allocation, markers: bad), by: blobber)
            try await client.execute(
                uri: "/v1/transactions", method: .post, body: ByteBuffer(bytes: TransactionCoding.encode(tx))
            ) { response in
                #expect(response.status == .unprocessableContent)
                let body = try JSONDecoder().decode(LedgerErrorBody.self, from: Data(buffer: response.body))
                #expect(body.code == "marker.sequence_gap")
                #expect(body.markerIndex == 1)
            }
            let good = network.transaction(
                .submitChain,
                SubmitChainPayload(allocationID: allocation, markers: Array(bad[0..<1])), by: blobber)
            try await client.execute(
                uri: "/v1/transactions", method: .post, body: ByteBuffer(bytes: TransactionCoding.encode(good))
            ) { response in
                #expect(response.status == .ok)
                let receipt = try JSONDecoder().decode(TransactionReceipt.self, from: Data(buffer: response.body))
                #expect(receipt.status == .applied)
                #expect(receipt.block == 2)
                #expect(receipt.result.markersAccepted == 1)
            }
            try await client.execute(uri: "/v1/transactions/\(good.hash.hex)", method: .get) { response in
                let view = try JSONDecoder().decode(TransactionView.self, from: Data(buffer: response.body))
                #expect(view.transaction == good)
            }
        }
    }
}

/// What a third party needs to audit the ledger over HTTP alone: its key and genesis rules, a block's
/// transactions (which hash to the block's `tx_root`), and the allocations, paged.
@Suite struct AuditEndpointTests {
    @Test func keyBlocksTransactionsAndAllocationPages() async throws {
        let setup = try await ChainTests.Setup()
        let network = setup.network
        let other = TestNetwork.key("other owner")
        try await network.fund(other, 10_000_000)
        var mine = [setup.allocation]
        for _ in 0..<2 {
            mine.append(
                try await network.createAllocation(
                    owner: setup.owner, blobbers: setup.blobbers, dataShards: 2, size: 1 << 20, writePool: 2_000_000))
        }
        let theirs = try await network.createAllocation(
            owner: other, blobbers: setup.blobbers, dataShards: 2, size: 1 << 20, writePool: 2_000_000)
        let sealed = try #require(try await network.ledger.sealBlock())
        let app = buildLedgerApplication(
            configuration: LedgerConfiguration(
                dataDirectory: nil, blockInterval: .seconds(3600), emptyBlockInterval: .seconds(3600),
                challengeInterval: 0),
            ledger: network.ledger, logger: Logger(label: "test"))
        let owned = mine.sorted { $0.hex < $1.hex }
        let everyone = Set(mine + [theirs])
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/ledger", method: .get) { response in
                #expect(response.status == .ok)
                let info = try decode(LedgerInfo.self, response)
                #expect(info.publicKey == network.ledger.publicKey)
                #expect(info.genesis.publicKey == network.ledger.publicKey)
                #expect(info.height == sealed.height)
            }
            try await client.execute(uri: "/v1/blocks/\(sealed.height)/transactions", method: .get) { response in
                #expect(response.status == .ok)
                let views = try decode([TransactionView].self, response)
                #expect(views.count == Int(sealed.txCount))
                #expect(Block.txRoot(views.map(\.transaction.hash)) == sealed.txRoot)
                #expect(views.allSatisfy { $0.receipt.block == sealed.height })
            }
            for (height, status) in [("\(sealed.height + 1)", HTTPResponse.Status.notFound), ("x", .badRequest),
                ("9223372036854775808", .notFound)] {
                try await client.execute(uri: "/v1/blocks/\(height)/transactions", method: .get) { response in
                    #expect(response.status == status, "height \(height)")
                }
            }
            // The owner's three allocations in two pages of two, in id order; the other owner's one apart.
            var seen: [AllocationID] = []
            var after = ""
            for page in 0..<2 {
                try await client.execute(
                    uri: "/v1/allocations?owner=\(setup.owner.publicKey.clientID.hex)&limit=2\(after)", method: .get
                ) { response in
                    #expect(response.status == .ok)
                    let body = try decode(AllocationPage.self, response)
                    #expect(body.allocations.count == (page == 0 ? 2 : 1))
                    #expect((body.next == nil) == (page == 1))
                    seen += body.allocations.map(\.id)
                    after = body.next.map { "&after=\($0.hex)" } ?? ""
                }
            }
            #expect(seen == owned)
            try await client.execute(uri: "/v1/allocations", method: .get) { response in
                let body = try decode(AllocationPage.self, response)
                #expect(Set(body.allocations.map(\.id)) == everyone)
                #expect(body.next == nil)
            }
            for query in ["limit=0", "limit=1001", "limit=-1", "limit=1e2", "owner=12", "after=zz"] {
                try await client.execute(uri: "/v1/allocations?\(query)", method: .get) { response in
                    #expect(response.status == .badRequest, "\(query)")
                    let body = try decode(LedgerErrorBody.self, response)
                    #expect(body.code == "tx.malformed")
                }
            }
        }
    }
}

private func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
    try JSONDecoder().decode(type, from: Data(buffer: response.body))
}

/// Numbers off the wire that once trapped the ledger (a remote kill switch): each is refused with its
/// code, and the ledger answers the next request.
@Suite struct HostileNumberTests {
    @Test func extremeHeightsAndTimestampsAreRefused() async throws {
        let network = try TestNetwork()
        let app = buildLedgerApplication(
            configuration: LedgerConfiguration(dataDirectory: nil), ledger: network.ledger,
            logger: Logger(label: "test"))
        let stranger = TestNetwork.key("stranger")
        try await app.test(.router) { client in
            for height in ["9223372036854775808", "18446744073709551615"] {
                try await client.execute(uri: "/v1/blocks/\(height)", method: .get) { response in
                    #expect(response.status == .notFound)
                    let body = try JSONDecoder().decode(LedgerErrorBody.self, from: Data(buffer: response.body))
                    #expect(body.code == "ledger.unknown_block")
                }
            }
            for height in ["18446744073709551616", "-1", "1e3", ""] {
                try await client.execute(uri: "/v1/blocks/\(height)x", method: .get) { response in
                    #expect(response.status == .badRequest)
                }
            }
            for timestamp in [Int64.min, Int64.min + 1, Int64.max, -1] {
                let tx = LedgerTransaction.make(
                    .faucet, payload: FaucetPayload(amount: 1), key: stranger, nonce: UInt64(bitPattern: timestamp),
                    timestamp: timestamp)
                try await client.execute(
                    uri: "/v1/transactions", method: .post, body: ByteBuffer(bytes: TransactionCoding.encode(tx))
                ) { response in
                    let body = try JSONDecoder().decode(LedgerErrorBody.self, from: Data(buffer: response.body))
                    #expect(body.code == "tx.stale_timestamp")
                }
            }
            try await client.execute(uri: "/v1/blocks/latest", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
        // Nothing was minted for the stranger: the ledger has no account for it.
        await #expect(throws: LedgerError.self) { try await network.ledger.account(stranger.publicKey.clientID.hash) }
    }
}

extension Data {
    init(buffer: ByteBuffer) { self.init(buffer.readableBytesView) }
}
