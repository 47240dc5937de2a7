import Foundation
import Merkle
import StorageProtocol

extension FuzzTarget {
    /// `Hex.decode`: hashes, keys, signatures, tickets and nonces all arrive as hex text.
    static let hex = FuzzTarget(name: "hex") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        if let decoded = Hex.decode(text) {
            require(decoded.count * 2 == text.utf8.count, "decoded \(decoded.count) bytes from \(text.utf8.count) digits")
            require(Hex.encode(decoded) == text.lowercased(), "hex does not round-trip: \(text)")
            require((Hash(hex: text) != nil) == (decoded.count == 32), "Hash(hex:) disagrees with Hex.decode")
        }
        require(Hex.decode(Hex.encode(bytes)) == bytes, "Hex.encode does not decode back")
    } seeds: {
        [Fixture.trie.root.hex, Fixture.owner.publicKey.hex, "00ff", "ABCdef", "", "0g"].map { Array($0.utf8) }
    }

    /// `RemotePath(utf8:)`: paths from query strings, commit bodies and listings.
    static let remotePath = FuzzTarget(name: "remote-path") { bytes in
        guard let path = try? RemotePath(utf8: bytes) else { return }
        let utf8 = Array(path.string.utf8)
        require(utf8.first == UInt8(ascii: "/") && utf8.count <= RemotePath.maxBytes, "accepted \(path.string.debugDescription)")
        require(!path.string.contains("//") && utf8.last != UInt8(ascii: "/"), "accepted \(path.string.debugDescription)")
        // `directory` is a byte prefix even when the last segment starts with a combining mark.
        let slash = utf8.lastIndex(of: UInt8(ascii: "/"))!
        require(Array(path.directory.utf8) == Array(utf8[...slash]), "directory of \(path.string.debugDescription)")
        require((try? RemotePath(path.string)) == path, "a valid path is not valid again: \(path.string.debugDescription)")
        requireRoundTrip(path)
    } seeds: {
        ["/a", "/fuzz/file-1", "/dir/é/x.bin", "/日本/ファイル.txt", "/a/b/c/d/e.tar.gz", "/emoji/😀", "/a/../b"]
            .map { Array($0.utf8) }
    }

    /// `KeyFile.parse`: wallet and blobber key files.
    static let keyFile = FuzzTarget(name: "key-file") { bytes in
        guard let key = try? KeyFile.parse(bytes, path: "fuzz") else { return }
        // What parsed is consistent: the file's public key follows from the seed.
        let again = try? SigningKey(seed: key.seed)
        require(again?.publicKey == key.publicKey, "a parsed key does not rebuild from its seed")
    } seeds: {
        [Fixture.owner, Fixture.reader].map { key in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("blob-fuzz-\(UUID()).json").path
            try! KeyFile.write(key, to: path)
            defer { unlink(path) }
            return Array(FileManager.default.contents(atPath: path)!)
        }
    }

    /// `RequestAuth(header:)` and `verify`: the five signed-request headers, one per line.
    static let requestAuth = FuzzTarget(name: "request-auth") { bytes in
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let names = [
            RequestAuth.Header.key, RequestAuth.Header.time, RequestAuth.Header.nonce, RequestAuth.Header.bodyDigest,
            RequestAuth.Header.signature,
        ]
        var headers: [String: String] = [:]
        for (name, value) in zip(names, lines) { headers[name] = String(value) }
        guard let auth = try? RequestAuth(header: { headers[$0] }) else { return }
        let sent = Dictionary(auth.headers, uniquingKeysWith: { first, _ in first })
        require((try? RequestAuth(header: { sent[$0] })) == auth, "request headers do not round-trip")
        // Any timestamp, −2^63 included, is compared without trapping; only the owner's request for this
        // blobber verifies, and never for another blobber.
        let verified =
            (try? auth.verify(
                audience: Fixture.blobber.publicKey.blobberID, method: "GET", target: "/v1/fuzz?x=1", now: Fixture.now, window: 60_000))
            != nil
        if verified {
            require(auth.publicKey == Fixture.owner.publicKey, "a forged request verified")
            let elsewhere: Void? = try? auth.verify(
                audience: Fixture.reader.publicKey.blobberID, method: "GET", target: "/v1/fuzz?x=1", now: Fixture.now, window: 60_000)
            require(elsewhere == nil, "a request verified at a blobber it was not signed for")
        }
        if auth.bodyDigest != RequestAuth.unsignedPayload {
            _ = try? auth.verifyBody(Array("{}".utf8))
        }
    } seeds: {
        [Array("{}".utf8), nil].map { body in
            let auth = RequestAuth.sign(
                for: Fixture.blobber.publicKey.blobberID, method: "GET", target: "/v1/fuzz?x=1", body: body, timestamp: Fixture.now, nonce: 0x0123_4567_89ab_cdef,
                key: Fixture.owner)
            return Array(auth.headers.map(\.1).joined(separator: "\n").utf8)
        }
    }

    /// The `x-blob-ticket` header (hex of a `ShareTicket`'s JSON) on the first line, the path asked for on
    /// the second; then the blobber's check.
    static let shareTicket = FuzzTarget(name: "share-ticket") { bytes in
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", maxSplits: 1)
        guard let first = lines.first, let json = Hex.decode(first), let ticket = decodeJSON(ShareTicket.self, json)
        else { return }
        requireRoundTrip(ticket)
        let asked = lines.count > 1 ? String(lines[1]) : "/fuzz/file-1"
        for requested in [ticket.path, ticket.path + "x", asked] {
            let valid =
                (try? ticket.verify(
                    owner: Fixture.owner.publicKey, allocation: Fixture.allocation,
                    reader: Fixture.reader.publicKey.clientID, requested: requested, now: Fixture.now)) != nil
            if valid {
                // Coverage is by bytes: a blobber reads the path as bytes, so "covered" must mean a byte prefix.
                let (granted, wanted) = (Array(ticket.path.utf8), Array(requested.utf8))
                let covered = granted.last == UInt8(ascii: "/") ? wanted.starts(with: granted) : wanted == granted
                require(covered && Fixture.now <= ticket.expiry, "ticket for \(ticket.path.debugDescription) let \(requested.debugDescription) through")
                require(Fixture.owner.publicKey.isValidSignature(ticket.signature!, over: ticket.hash), "forged ticket")
            }
        }
    } seeds: {
        ["/fuzz/file-1", "/fuzz/"].map { path in
            let ticket = ShareTicket(
                allocationID: Fixture.allocation, path: path, ownerID: Fixture.owner.publicKey.clientID,
                recipientID: Fixture.reader.publicKey.clientID, expiry: Fixture.now + 86_400_000
            ).signed(with: Fixture.owner)
            return Array((Hex.encode(encodeJSON(ticket)) + "\n/fuzz/file-1").utf8)
        }
    }
}
