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
        let app = buildLedgerApplication(
            configuration: LedgerConfiguration(dataDirectory: nil), ledger: network.ledger,
            logger: Logger(label: "test"))
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

extension Data {
    init(buffer: ByteBuffer) { self.init(buffer.readableBytesView) }
}
