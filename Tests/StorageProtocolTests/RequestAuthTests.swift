import Merkle
import StorageProtocol
import Testing

@Suite struct RequestAuthTests {
    let key = SigningKey.generate()
    let now: Int64 = 1_700_000_000_000
    let blobber = BlobberID(SHA256.hash([9]))

    @Test func signedRequestVerifiesThroughHeaders() throws {
        let body = Array(#"{"paths":["/a"]}"#.utf8)
        let auth = RequestAuth.sign(for: blobber, method: "POST", target: "/v1/allocations/x/proofs", body: body, timestamp: now, key: key)
        let headers = Dictionary(uniqueKeysWithValues: auth.headers)
        let parsed = try RequestAuth(header: { headers[$0] })
        #expect(parsed == auth)
        try parsed.verify(audience: blobber, method: "POST", target: "/v1/allocations/x/proofs", now: now + 1000, window: 60_000)
        try parsed.verifyBody(body)
        #expect(throws: RequestAuthError.bodyDigestMismatch) { try parsed.verifyBody(body + [0x20]) }
    }

    @Test func anyChangeBreaksTheSignature() throws {
        let auth = RequestAuth.sign(for: blobber, method: "GET", target: "/v1/a?x=1", body: [], timestamp: now, key: key)
        #expect(throws: RequestAuthError.badSignature) {
            try auth.verify(audience: blobber, method: "DELETE", target: "/v1/a?x=1", now: now, window: 60_000)
        }
        #expect(throws: RequestAuthError.badSignature) {
            try auth.verify(audience: blobber, method: "GET", target: "/v1/a?x=2", now: now, window: 60_000)
        }
        var shifted = auth
        shifted.timestamp += 1
        #expect(throws: RequestAuthError.badSignature) {
            try shifted.verify(audience: blobber, method: "GET", target: "/v1/a?x=1", now: now, window: 60_000)
        }
        var otherNonce = auth
        otherNonce.nonce &+= 1
        #expect(throws: RequestAuthError.badSignature) {
            try otherNonce.verify(audience: blobber, method: "GET", target: "/v1/a?x=1", now: now, window: 60_000)
        }
        var otherDigest = auth
        otherDigest.bodyDigest = RequestAuth.unsignedPayload
        #expect(throws: RequestAuthError.badSignature) {
            try otherDigest.verify(audience: blobber, method: "GET", target: "/v1/a?x=1", now: now, window: 60_000)
        }
    }

    @Test func aRequestForAnotherBlobberIsRefused() throws {
        let auth = RequestAuth.sign(for: blobber, method: "GET", target: "/v1/a", body: [], timestamp: now, key: key)
        try auth.verify(audience: blobber, method: "GET", target: "/v1/a", now: now, window: 60_000)
        #expect(throws: RequestAuthError.badSignature) {
            try auth.verify(audience: BlobberID(SHA256.hash([10])), method: "GET", target: "/v1/a", now: now, window: 60_000)
        }
    }

    /// Any signed 64-bit time off the wire is compared without trapping (issue: −2^63 stopped a blobber).
    @Test(arguments: [Int64.min, Int64.min + 1, -1, 0, Int64.max, Int64.max - 1])
    func extremeTimesAreStale(time: Int64) {
        var auth = RequestAuth.sign(for: blobber, method: "GET", target: "/", body: [], timestamp: now, key: key)
        auth.timestamp = time
        #expect(throws: RequestAuthError.stale(timestamp: time, now: now, window: 60_000)) {
            try auth.verify(audience: blobber, method: "GET", target: "/", now: now, window: 60_000)
        }
        #expect(!time.isWithin(60_000, of: now) && !now.isWithin(60_000, of: time))
        #expect(!Int64.min.isWithin(Int64.max, of: Int64.max) && Int64.max.isWithin(Int64.max, of: 0))
    }

    @Test func staleAndFutureRequestsAreRefused() {
        let auth = RequestAuth.sign(for: blobber, method: "GET", target: "/", body: [], timestamp: now, key: key)
        #expect(throws: RequestAuthError.stale(timestamp: now, now: now + 60_001, window: 60_000)) {
            try auth.verify(audience: blobber, method: "GET", target: "/", now: now + 60_001, window: 60_000)
        }
        #expect(throws: RequestAuthError.stale(timestamp: now, now: now - 60_001, window: 60_000)) {
            try auth.verify(audience: blobber, method: "GET", target: "/", now: now - 60_001, window: 60_000)
        }
    }

    @Test func malformedHeadersAreRefused() {
        #expect(throws: RequestAuthError.missing) { try RequestAuth(header: { _ in nil }) }
        let good = Dictionary(
            uniqueKeysWithValues: RequestAuth.sign(for: blobber, method: "GET", target: "/", body: nil, timestamp: now, key: key).headers)
        for (name, bad) in [
            (RequestAuth.Header.key, "abc"), (RequestAuth.Header.time, "soon"), (RequestAuth.Header.nonce, "0123"),
            (RequestAuth.Header.nonce, "0123456789abcdeg"),
            (RequestAuth.Header.signature, "00"), (RequestAuth.Header.bodyDigest, "sha"),
        ] {
            var headers = good
            headers[name] = bad
            #expect(throws: RequestAuthError.malformed(header: name)) { try RequestAuth(header: { headers[$0] }) }
        }
        let streamed = RequestAuth.sign(for: blobber, method: "PUT", target: "/", body: nil, timestamp: now, key: key)
        #expect(streamed.bodyDigest == RequestAuth.unsignedPayload)
        #expect(throws: RequestAuthError.bodyNotSigned) { try streamed.verifyBody([1, 2, 3]) }
    }

    @Test func replayGuardAcceptsEachSignatureOnce() {
        let guardian = ReplayGuard(window: 60_000)
        let first = RequestAuth.sign(for: blobber, method: "GET", target: "/", body: [], timestamp: now, key: key)
        let second = RequestAuth.sign(for: blobber, method: "GET", target: "/", body: [], timestamp: now + 1, key: key)
        #expect(guardian.firstUse(of: first, now: now))
        #expect(!guardian.firstUse(of: first, now: now + 10))
        #expect(guardian.firstUse(of: second, now: now + 10))
        // Still refused after a sweep inside twice the window.
        #expect(!guardian.firstUse(of: first, now: now + 90_000))
        // The same request signed twice in the same millisecond is two requests: the nonces differ.
        let again = RequestAuth.sign(for: blobber, method: "GET", target: "/", body: [], timestamp: now, key: key)
        #expect(again.nonce != first.nonce && guardian.firstUse(of: again, now: now + 90_000))
    }

    /// docs/PROTOCOL.md section 2, "Signed requests": the test vector.
    @Test func protocolTestVector() throws {
        let auth = RequestAuth.sign(
            for: RequestVector.blobber, method: "GET", target: "/v1/allocations/\(SHA256.hash(Array("allocation".utf8)).hex)/state", body: [],
            timestamp: 1_700_000_000_000, nonce: 0x0123_4567_89ab_cdef, key: MarkerVector.owner)
        let headers = Dictionary(uniqueKeysWithValues: auth.headers)
        #expect(headers[RequestAuth.Header.nonce] == "0123456789abcdef")
        #expect(headers[RequestAuth.Header.bodyDigest] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let hash = RequestAuth.hash(
            blobber: RequestVector.blobber, method: "GET", target: "/v1/allocations/\(SHA256.hash(Array("allocation".utf8)).hex)/state",
            bodyDigest: auth.bodyDigest, timestamp: 1_700_000_000_000, nonce: 0x0123_4567_89ab_cdef)
        #expect(hash.hex == RequestVector.hash)
        #expect(auth.signature.hex == RequestVector.signature)
        try RequestAuth(header: { headers[$0] })
            .verify(audience: RequestVector.blobber, method: "GET", target: "/v1/allocations/\(SHA256.hash(Array("allocation".utf8)).hex)/state",
                now: 1_700_000_000_000, window: 60_000)
    }
}

/// The values docs/PROTOCOL.md gives for the signed-request test vector.
enum RequestVector {
    static let blobber = BlobberID(SHA256.hash(Array("blobber".utf8)))
    static let hash = "87730183020cee77d441303880ac26057184bcebcee54b8cba39712b56dfa582"
    static let signature =
        "218adb49d87b2ccca95de335e69eac32a9d3bb332c85ad2f4f8b85a5e614051bac1e98ac2c40954aa12a80b98cc0a6f668f0e2a9ef23185ecec9e9d3eee62503"
}

@Suite struct ShareTicketTests {
    let owner = SigningKey.generate()
    let reader = SigningKey.generate()
    let allocation = AllocationID(SHA256.hash([7]))

    func ticket(path: String = "/docs/", expiry: Int64 = 2_000) -> ShareTicket {
        ShareTicket(
            allocationID: allocation, path: path, ownerID: owner.publicKey.clientID,
            recipientID: reader.publicKey.clientID, expiry: expiry
        ).signed(with: owner)
    }

    @Test func validTicketCoversItsPath() throws {
        try ticket().verify(owner: owner.publicKey, allocation: allocation, reader: reader.publicKey.clientID, requested: "/docs/a.pdf", now: 1_000)
        try ticket(path: "/a.txt").verify(owner: owner.publicKey, allocation: allocation, reader: reader.publicKey.clientID, requested: "/a.txt", now: 1_000)
    }

    @Test func invalidTicketsAreRefusedWithAReason() {
        let readerID = reader.publicKey.clientID
        func code(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let error as RequestAuthError { return error.description } catch { return "?" }
        }
        #expect(code { try ticket().verify(owner: owner.publicKey, allocation: allocation, reader: readerID, requested: "/other/x", now: 1_000) }?.contains("does not cover") == true)
        #expect(code { try ticket(path: "/a.txt").verify(owner: owner.publicKey, allocation: allocation, reader: readerID, requested: "/a.txt.bak", now: 1_000) }?.contains("does not cover") == true)
        #expect(code { try ticket().verify(owner: owner.publicKey, allocation: allocation, reader: readerID, requested: "/docs/a", now: 2_001) }?.contains("expired") == true)
        #expect(code { try ticket().verify(owner: owner.publicKey, allocation: AllocationID(SHA256.hash([8])), reader: readerID, requested: "/docs/a", now: 1_000) }?.contains("another allocation") == true)
        #expect(code { try ticket().verify(owner: owner.publicKey, allocation: allocation, reader: owner.publicKey.clientID, requested: "/docs/a", now: 1_000) }?.contains("another client") == true)
        var forged = ticket()
        forged.expiry = 9_999_999
        #expect(code { try forged.verify(owner: owner.publicKey, allocation: allocation, reader: readerID, requested: "/docs/a", now: 1_000) }?.contains("signature") == true)
        let stranger = SigningKey.generate()
        #expect(code { try ticket().verify(owner: stranger.publicKey, allocation: allocation, reader: readerID, requested: "/docs/a", now: 1_000) }?.contains("not issued by") == true)
    }
}
