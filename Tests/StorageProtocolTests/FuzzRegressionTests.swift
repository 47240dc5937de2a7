import Merkle
import StorageProtocol
import Testing

/// Inputs the fuzz targets (`Fuzz/`, `scripts/fuzz.sh`) found; each once trapped or was accepted.
@Suite struct StorageProtocolFuzzRegressionTests {
    let owner = SigningKey.generate()
    let reader = SigningKey.generate()
    let allocation = AllocationID(SHA256.hash([7]))

    func ticket(path: String) -> ShareTicket {
        ShareTicket(
            allocationID: allocation, path: path, ownerID: owner.publicKey.clientID,
            recipientID: reader.publicKey.clientID, expiry: 2_000
        ).signed(with: owner)
    }

    func verify(_ ticket: ShareTicket, requested: String) throws {
        try ticket.verify(
            owner: owner.publicKey, allocation: allocation, reader: reader.publicKey.clientID, requested: requested,
            now: 1_000)
    }

    /// `share-ticket`: coverage compared `String`s, which are equal under canonical equivalence, so a
    /// ticket for `/é/` (U+00E9) let a reader into `/e\u{301}/`, a different directory on the blobber,
    /// and a file ticket opened the other spelling of its file.
    @Test func ticketsCoverBytesNotCanonicallyEquivalentPaths() throws {
        #expect(throws: RequestAuthError.self) { try verify(ticket(path: "/\u{e9}/"), requested: "/e\u{301}/secret") }
        #expect(throws: RequestAuthError.self) { try verify(ticket(path: "/caf\u{e9}.txt"), requested: "/cafe\u{301}.txt") }
        try verify(ticket(path: "/\u{e9}/"), requested: "/\u{e9}/secret")
        try verify(ticket(path: "/cafe\u{301}.txt"), requested: "/cafe\u{301}.txt")
        // A name that starts with a combining mark is still below the directory, byte for byte.
        try verify(ticket(path: "/docs/"), requested: "/docs/\u{301}x")
    }

    /// `key-file`: parsing works on bytes, so the fuzz target reaches it without files.
    @Test func keyFileParsesFromBytes() throws {
        let key = SigningKey.generate()
        let json = #"{"algorithm":"ed25519","id":"\#(key.id.hex)","public_key":"\#(key.publicKey.hex)","secret_seed":"\#(Hex.encode(key.seed))"}"#
        #expect(try KeyFile.parse(Array(json.utf8), path: "k").publicKey == key.publicKey)
        #expect(throws: KeyError.keyFileMalformed(path: "k", reason: "larger than 4 KiB")) {
            try KeyFile.parse([UInt8](repeating: 0x20, count: 4097), path: "k")
        }
    }
}
