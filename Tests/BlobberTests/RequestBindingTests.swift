import Foundation
import Merkle
import NIOHTTP1
import StorageProtocol
import TestProcesses
import Testing

/// docs/PROTOCOL.md section 2, "Signed requests": a request is bound to the blobber it is sent to,
/// used once even across a restart, and checked before the blobber asks anyone about it.
@Suite("Blobber request binding", .timeLimit(.minutes(2)))
struct RequestBindingTests {
    @Test("a request signed for another blobber is refused, and the refusal changes nothing")
    func otherAudienceRefused() async throws {
        let (ledger, blobber, owner) = try await startAllocation()
        defer { Task { await stopAll(ledger, blobber) } }
        let before = try await owner.state()
        let elsewhere = BlobberID(SHA256.hash(Array("another blobber".utf8)))
        let upload = try await owner.request(
            .PUT, "\(owner.base)/uploads/u?offset=0", body: shardBytes(1, seed: 3), streamed: true,
            audience: elsewhere, headers: [(UploadStatus.shardSizeHeader, "65536")])
        #expect(upload.code == "auth.bad_signature")
        #expect(try await owner.request(.GET, "\(owner.base)/state", audience: elsewhere).code == "auth.bad_signature")
        #expect(try await owner.request(.GET, "\(owner.base)/uploads/u").code == "upload.unknown")
        #expect(try await owner.state().head == before.head)
    }

    @Test("a request accepted before a restart is refused after it")
    func replayAcrossRestart() async throws {
        let (ledger, blobber, owner) = try await startAllocation()
        let target = "\(owner.base)/state"
        let signed = RequestAuth.sign(
            for: blobber.id, method: "GET", target: target, body: [], timestamp: nowMillis(), key: owner.key)
        #expect(try await call(.GET, blobber.url + target, headers: signed.headers).status == 200)
        await blobber.process.stop()
        let again = try await TestBlobber.start(ledger: ledger.url, directory: blobber.directory)
        defer { Task { await stopAll(ledger, again) } }
        #expect(try await call(.GET, again.url + target, headers: signed.headers).code == "auth.replayed")
        // A fresh request is fine.
        let fresh = Owner(key: owner.key, allocation: owner.allocation, blobber: again)
        #expect(try await fresh.request(.GET, target).status == 200)
    }

    @Test("forged requests are refused before the ledger is asked about their allocation")
    func signatureBeforeLookup() async throws {
        let (ledger, blobber, owner) = try await startAllocation()
        defer { Task { await stopAll(ledger, blobber) } }
        await ledger.stop()
        let unknown = AllocationID(SHA256.hash(Array("nobody's".utf8)))
        let target = "/v1/allocations/\(unknown.hex)/state"
        var forged = Dictionary(
            uniqueKeysWithValues: RequestAuth.sign(
                for: blobber.id, method: "GET", target: target, body: [], timestamp: nowMillis(), key: owner.key
            ).headers)
        forged[RequestAuth.Header.signature] = String(repeating: "0", count: 128)
        // Looked up first, the unknown allocation would answer ledger.unreachable (the ledger is down).
        for _ in 0..<3 {
            let reply = try await call(.GET, blobber.url + target, headers: forged.map { ($0.key, $0.value) })
            #expect(reply.status == 401 && reply.code == "auth.bad_signature")
        }
        // The most negative time and a zero signature: refused as stale, and the blobber lives on.
        forged[RequestAuth.Header.time] = String(Int64.min)
        let stale = try await call(.GET, blobber.url + target, headers: forged.map { ($0.key, $0.value) })
        #expect(stale.code == "auth.stale")
        forged[RequestAuth.Header.time] = String(Int64.max)
        #expect(try await call(.GET, blobber.url + target, headers: forged.map { ($0.key, $0.value) }).code == "auth.stale")
        #expect(try await call(.GET, blobber.url + "/health").status == 200)
    }
}
