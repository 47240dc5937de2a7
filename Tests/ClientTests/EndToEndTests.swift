import Client
import Foundation
import Merkle
import StorageProtocol
import TestProcesses
import Testing

/// Uploads, downloads, renames and deletes against a real ledger and six real blobbers (4+2).
@Suite(.serialized) struct EndToEndTests {
    @Test func roundTripsPlainAndEncryptedFilesAndEveryBlobberAgrees() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let plain = try network.localFile("plain.bin", size: 3 * 4 * 65_536 + 12_345, seed: 1)
            let secret = try network.localFile("secret.bin", size: 700_001, seed: 2)
            let plainReport = try await Uploader(session: session).upload([
                .init(localPath: plain.path, remotePath: try RemotePath("/docs/plain.bin"))
            ])
            #expect(plainReport.committed.count == 6)
            #expect(plainReport.missed.isEmpty)
            _ = try await Uploader(session: session, encrypt: true).upload([
                .init(localPath: secret.path, remotePath: try RemotePath("/docs/secret.bin"))
            ])
            // Every blobber is at sequence 2, at the root this wallet signed, with the same file_meta_root.
            let heads = try await network.heads()
            let markers = try JSONDecoder().decode(
                [String: [String: WriteMarker]].self,
                from: Data(
                    contentsOf: URL(fileURLWithPath: network.home.path + "/allocations/\(network.allocation.hex).json"))
            )
            for (index, head) in heads.enumerated() {
                #expect(head.sequence == 2)
                #expect(head.fileMetaRoot == heads[0].fileMetaRoot)
                #expect(
                    markers["markers"]?[session.blobbers[index].blobberID.hex]?.allocationRoot == head.allocationRoot)
            }
            // Shards differ per blobber, so allocation roots differ.
            #expect(Set(heads.map(\.allocationRoot)).count == 6)

            let downloader = Downloader(session: session)
            let back = network.root + "/plain.back"
            let report = try await downloader.download(try RemotePath("/docs/plain.bin"), to: back)
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(plain.bytes))
            #expect(report.dropped.isEmpty)
            #expect(report.servedBy.count == 4)
            _ = try await downloader.download(try RemotePath("/docs/secret.bin"), to: back)
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(secret.bytes))
            // A range across a stripe boundary of the encrypted file.
            let a = 4 * 65_536 - 100
            let b = 4 * 65_536 + 5_000
            _ = try await downloader.download(
                try RemotePath("/docs/secret.bin"), to: back, range: UInt64(a)...UInt64(b))
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(secret.bytes[a...b]))

            // ls, mv, rm: commits like any other.
            let operations = FileOperations(session: session)
            #expect(try await operations.list("/docs/").files.map(\.path) == ["/docs/plain.bin", "/docs/secret.bin"])
            try await operations.move(try RemotePath("/docs/plain.bin"), to: try RemotePath("/archive/plain.bin"))
            _ = try await downloader.download(try RemotePath("/archive/plain.bin"), to: back)
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(plain.bytes))
            try await operations.remove([try RemotePath("/docs/secret.bin")])
            #expect(try await operations.list("/").directories == ["archive/"])
            await #expect(throws: ClientError.remoteNotFound(path: "/docs/secret.bin")) {
                try await downloader.download(try RemotePath("/docs/secret.bin"), to: back)
            }
            let after = try await network.heads()
            #expect(after.allSatisfy { $0.sequence == 4 && $0.fileMetaRoot == after[0].fileMetaRoot })
            #expect(!FileManager.default.fileExists(atPath: back + ".blob-partial"))
        }
    }

    @Test func emptyFilesAndFilesOfManyRunsRoundTrip() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let empty = try network.localFile("empty", size: 0, seed: 0)
            // With 2 stripes per run and 3 runs in flight, 2.9 MB is 6 runs read out of order.
            let long = try network.localFile("long.bin", size: 2_900_017, seed: 9)
            _ = try await Uploader(session: session).upload([
                .init(localPath: empty.path, remotePath: try RemotePath("/empty")),
                .init(localPath: long.path, remotePath: try RemotePath("/long.bin")),
            ])
            _ = try await Uploader(session: session, encrypt: true).upload([
                .init(localPath: empty.path, remotePath: try RemotePath("/empty.secret")),
                .init(localPath: long.path, remotePath: try RemotePath("/long.secret")),
            ])
            // An empty file is one stripe of padding on every blobber.
            for blobber in session.blobbers {
                let entry = try #require(try await blobber.file("/empty")).entry
                #expect(entry.size == 0 && entry.blockCount == 1 && entry.contentHash == SHA256.hash([UInt8]()))
            }
            var downloader = Downloader(session: session)
            downloader.stripesPerRun = 2
            downloader.runsInFlight = 3
            let back = network.root + "/back"
            for path in ["/empty", "/empty.secret"] {
                try Data([1, 2, 3]).write(to: URL(fileURLWithPath: back))
                let report = try await downloader.download(try RemotePath(path), to: back)
                #expect(report.bytes == 0)
                #expect(try Data(contentsOf: URL(fileURLWithPath: back)).isEmpty, "\(path) replaced the old file")
            }
            await #expect(throws: ClientError.self) {
                try await downloader.download(try RemotePath("/empty"), to: back, range: 0...0)
            }
            for path in ["/long.bin", "/long.secret"] {
                _ = try await downloader.download(try RemotePath(path), to: back)
                #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(long.bytes), "\(path)")
                // A range over a run boundary (runs are 2 stripes), ending one byte before the end.
                let range = (2 * 4 * 65_536 - 5)...(long.bytes.count - 2)
                _ = try await downloader.download(
                    try RemotePath(path), to: back, range: UInt64(range.lowerBound)...UInt64(range.upperBound))
                #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(long.bytes[range]), "\(path) range")
            }
            // Two data shards down: every run is rebuilt from the parity shards.
            await (try await network.blobber(shard: 0)).process.stop()
            await (try await network.blobber(shard: 2)).process.stop()
            for path in ["/long.bin", "/long.secret"] {
                let report = try await downloader.download(try RemotePath(path), to: back)
                #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(long.bytes), "\(path) rebuilt")
                #expect(report.servedBy.sorted() == [1, 3, 4, 5])
            }
        }
    }

    @Test func fewerThanKPlusOneCommitsRollsEveryBlobberBack() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let first = try network.localFile("first.bin", size: 300_000, seed: 3)
            _ = try await Uploader(session: session).upload([
                .init(localPath: first.path, remotePath: try RemotePath("/first.bin"))
            ])
            let before = try await network.heads()
            // This wallet's record for two blobbers says they are at another state (say it was restored from
            // an old backup): the client refuses to sign for them, so only 4 of 6 commit, fewer than k + 1.
            let path = network.home.path + "/allocations/\(network.allocation.hex).json"
            var record = try JSONDecoder().decode(
                [String: [String: WriteMarker]].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            for index in [1, 4] {
                let id = session.blobbers[index].blobberID.hex
                var marker = record["markers"]![id]!
                marker.allocationRoot = SHA256.hash(Array("elsewhere".utf8))
                record["markers"]![id] = marker.signed(with: network.owner)
            }
            try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: path))
            let second = try network.localFile("second.bin", size: 500_000, seed: 4)
            await #expect {
                try await Uploader(session: session).upload([
                    .init(localPath: second.path, remotePath: try RemotePath("/second.bin"))
                ])
            } throws: { error in
                guard case ClientError.consensusFailed(let succeeded, let required, _) = error else { return false }
                return succeeded == 4 && required == 5
            }
            // Every root is what it was before the upload; the four that committed moved on by two markers.
            let after = try await network.heads()
            #expect(after.map(\.allocationRoot) == before.map(\.allocationRoot))
            #expect(after.map(\.fileMetaRoot) == before.map(\.fileMetaRoot))
            #expect(after.map(\.chainSize) == before.map(\.chainSize))
            for index in 0..<6 {
                #expect(after[index].sequence == before[index].sequence + ([1, 4].contains(index) ? 0 : 2))
            }
            // Nothing staged is left behind on any blobber.
            for directory in network.blobberDirectories {
                let staging =
                    (try? FileManager.default.contentsOfDirectory(
                        atPath: directory + "/staging/\(network.allocation.hex)")) ?? []
                #expect(staging.isEmpty, "\(directory): \(staging)")
            }
        }
    }

    @Test func deadBlobberIsReportedAndAliarIsDroppedWhileReadsStayRight() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let file = try network.localFile("f.bin", size: 2 * 4 * 65_536 + 999, seed: 5)
            _ = try await Uploader(session: session).upload([
                .init(localPath: file.path, remotePath: try RemotePath("/f.bin"))
            ])
            let back = network.root + "/back"

            // A data-shard blobber dies: uploads still commit on five and report the sixth; reads rebuild.
            let dead = try await network.blobber(shard: 0)
            await dead.process.stop()
            let other = try network.localFile("g.bin", size: 1_000_000, seed: 6)
            let upload = try await Uploader(session: session).upload([
                .init(localPath: other.path, remotePath: try RemotePath("/g.bin"))
            ])
            #expect(upload.committed.count == 5)
            #expect(upload.missed.keys.sorted() == [session.blobbers[0].blobberID.hex])
            #expect(upload.repair?.unreachable == [0], "the repair tried at once finds shard 0 unreachable")
            let read = try await Downloader(session: session).download(try RemotePath("/g.bin"), to: back)
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(other.bytes))
            #expect(!read.servedBy.contains(0))
            let status = await AllocationStatus.gather(session)
            #expect(status.blobbers[0].reachable == false)
            #expect(status.blobbers[1...].allSatisfy { $0.agrees })
            try await network.restart(shard: 0)

            // A data-shard blobber lies: one byte of its stored shard of /f.bin is flipped on disk. Shard 5 is
            // down and shard 4 answers 300 ms late, so the liar is among the k fastest and must be read.
            try await network.corruptStoredShard(of: "/f.bin", shard: 1)
            await (try await network.blobber(shard: 5)).process.stop()
            try await network.restart(shard: 4, extra: ["--fault-delay-ms", "300"])
            let report = try await Downloader(session: session).download(try RemotePath("/f.bin"), to: back)
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(file.bytes))
            #expect(report.dropped.keys.contains(session.blobbers[1].blobberID.hex))
            #expect(report.dropped[session.blobbers[1].blobberID.hex]?.contains("do not verify") == true)
            #expect(report.servedBy.sorted() == [0, 2, 3, 4])

            // Two liars among the five fast blobbers: the first request stops waiting for the slow one once
            // five agree, the reads then run short (only 0, 3 and 5 verify), and the download starts over
            // with every blobber, the slow one included.
            try await network.restart(shard: 5)
            try await network.corruptStoredShard(of: "/f.bin", shard: 2)
            let retried = try await Downloader(session: session).download(try RemotePath("/f.bin"), to: back)
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(file.bytes))
            #expect(retried.servedBy.sorted() == [0, 3, 4, 5])
            #expect(retried.dropped.keys.contains(session.blobbers[2].blobberID.hex))
        }
    }

    @Test func manySmallFilesGoInOneCommitPerBlobber() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let directory = network.root + "/many"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var items: [Uploader.Item] = []
            for index in 0..<1_000 {
                let path = directory + "/f\(index).txt"
                try Data(ShardEncoderTests.bytes(4_096, seed: UInt64(index) + 100)).write(
                    to: URL(fileURLWithPath: path))
                items.append(.init(localPath: path, remotePath: try RemotePath("/many/f\(index).txt")))
            }
            let report = try await Uploader(session: session).upload(items)
            #expect(report.files.count == 1_000)
            for blobber in session.blobbers {
                let state = try await blobber.state()
                #expect(state.head.sequence == 1, "one commit per blobber")
                #expect(state.fileCount == 1_000)
            }
            let back = network.root + "/small.back"
            _ = try await Downloader(session: session).download(try RemotePath("/many/f777.txt"), to: back)
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(ShardEncoderTests.bytes(4_096, seed: 877)))
        }
    }

    @Test func ticketsLetTheirRecipientReadAndNobodyElse() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let file = try network.localFile("shared.bin", size: 400_000, seed: 7)
            _ = try await Uploader(session: session, encrypt: true).upload([
                .init(localPath: file.path, remotePath: try RemotePath("/shared.bin"))
            ])
            let readerHome = ClientHome(explicit: network.root + "/reader")
            let reader = try readerHome.createWallet()
            try readerHome.saveSettings(ClientSettings(ledgerURL: network.ledger.url))
            let bundle = try await session.share(
                "/shared.bin", to: reader.publicKey.clientID,
                expiry: Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000)
            // Through the CLI, as a reader would.
            let back = network.root + "/shared.back"
            let ok = try await run(
                "blob", ["download", "--home", readerHome.path, "--ticket", bundle.text, back, "--json"])
            #expect(ok.status == 0, "\(ok.stdout) \(ok.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(file.bytes))
            // Another wallet with the same ticket: refused before any blobber is asked.
            let strangerHome = network.root + "/stranger"
            _ = try await run("blob", ["wallet", "create", "--home", strangerHome])
            let stranger = try await run(
                "blob",
                [
                    "download", "--home", strangerHome, "--ledger", network.ledger.url, "--ticket", bundle.text,
                    network.root + "/x", "--json",
                ])
            #expect((stranger.json["error"] as? [String: Any])?["code"] as? String == "client.bad_ticket")
            // An expired ticket.
            let expired = try await session.share("/shared.bin", to: reader.publicKey.clientID, expiry: 1)
            let late = try await run(
                "blob",
                ["download", "--home", readerHome.path, "--ticket", expired.text, network.root + "/y", "--json"])
            #expect((late.json["error"] as? [String: Any])?["code"] as? String == "client.bad_ticket")
            // A ticket for one path does not open another: the blobbers refuse.
            _ = try await Uploader(session: session).upload([
                .init(localPath: file.path, remotePath: try RemotePath("/other.bin"))
            ])
            let wrongPath = try await run(
                "blob",
                [
                    "download", "--home", readerHome.path, "--ticket", bundle.text, "/other.bin", network.root + "/z",
                    "--json",
                ])
            #expect(wrongPath.status == 1)
            // Every blobber refuses: the ticket does not cover the path.
            let wrongError = wrongPath.json["error"] as? [String: Any]
            #expect(wrongError?["code"] as? String == "client.too_few_good_blobbers")
            #expect((wrongError?["message"] as? String)?.contains("does not cover /other.bin") == true)
            #expect(!FileManager.default.fileExists(atPath: network.root + "/z"))
        }
    }

    @Test func aDirectoryTicketReadsTheEncryptedFilesUnderIt() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let secret = try network.localFile("secret.bin", size: 300_001, seed: 11)
            let plain = try network.localFile("plain.bin", size: 5_000, seed: 12)
            _ = try await Uploader(session: session, encrypt: true).upload([
                .init(localPath: secret.path, remotePath: try RemotePath("/team/deep/secret.bin")),
                .init(localPath: secret.path, remotePath: try RemotePath("/elsewhere/secret.bin")),
            ])
            _ = try await Uploader(session: session).upload([
                .init(localPath: plain.path, remotePath: try RemotePath("/team/plain.bin"))
            ])
            let readerHome = ClientHome(explicit: network.root + "/reader")
            let reader = try readerHome.createWallet()
            try readerHome.saveSettings(ClientSettings(ledgerURL: network.ledger.url))
            let bundle = try await session.share(
                "/team/", to: reader.publicKey.clientID, expiry: Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000)
            // The ticket carries the key of the one encrypted file under /team/, and no other.
            #expect(bundle.fileKeys.map { Array($0.keys) } == ["/team/deep/secret.bin"])
            let back = network.root + "/back"
            for (remote, bytes) in [("/team/deep/secret.bin", secret.bytes), ("/team/plain.bin", plain.bytes)] {
                let read = try await run(
                    "blob", ["download", "--home", readerHome.path, "--ticket", bundle.text, remote, back, "--json"])
                #expect(read.status == 0, "\(remote): \(read.stdout) \(read.stderr)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(bytes), "\(remote)")
            }
            // The reader lists the shared directory and the directories below it, and nothing else.
            let top = try await run("blob", ["ls", "--home", readerHome.path, "--ticket", bundle.text, "--json"])
            #expect(top.status == 0, "\(top.stdout) \(top.stderr)")
            #expect(top.json["directories"] as? [String] == ["deep/"])
            #expect((top.json["files"] as? [[String: Any]])?.compactMap { $0["path"] as? String } == ["/team/plain.bin"])
            let deep = try await run(
                "blob", ["ls", "--home", readerHome.path, "--ticket", bundle.text, "/team/deep", "--json"])
            #expect(
                (deep.json["files"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
                    == ["/team/deep/secret.bin"], "\(deep.stdout) \(deep.stderr)")
            let outside = try await run(
                "blob", ["ls", "--home", readerHome.path, "--ticket", bundle.text, "/elsewhere", "--json"])
            #expect(outside.status == 1)
            #expect(
                ((outside.json["error"] as? [String: Any])?["message"] as? String)?.contains("does not cover") == true,
                "\(outside.stdout)")
            // A file encrypted after the ticket was made: its key is not in the ticket, and the reader is
            // told so; nothing is written.
            _ = try await Uploader(session: session, encrypt: true).upload([
                .init(localPath: secret.path, remotePath: try RemotePath("/team/later.bin"))
            ])
            let later = try await run(
                "blob",
                [
                    "download", "--home", readerHome.path, "--ticket", bundle.text, "/team/later.bin", back + "2",
                    "--json",
                ])
            let error = later.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == "client.bad_ticket")
            #expect((error?["message"] as? String)?.contains("new ticket") == true, "\(later.stdout)")
            #expect(!FileManager.default.fileExists(atPath: back + "2"))
        }
    }

    @Test func aDirectoryTicketWithAReEncryptionKeyReadsFilesEncryptedLater() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let readerHome = ClientHome(explicit: network.root + "/reader")
            let reader = try readerHome.createWallet()
            try readerHome.saveSettings(ClientSettings(ledgerURL: network.ledger.url))
            let expiry = Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000
            // The owner shares /team/ with the reader's share address, as `blob wallet show` prints it.
            let shown = try await run("blob", ["wallet", "show", "--home", readerHome.path, "--json"])
            let printedAddress = try #require(shown.json["share_address"] as? String, "\(shown.stdout) \(shown.stderr)")
            let address = try #require(ShareAddress(text: printedAddress))
            #expect(address == ShareAddress(reader))
            let printed = try await run(
                "blob",
                ["share", "--home", network.home.path, "/team/", "--to", address.text, "--expiry", "1h", "--json"])
            #expect(printed.status == 0, "\(printed.stdout) \(printed.stderr)")
            let text = try #require(printed.json["ticket"] as? String)
            // A ticket made at the same time without the share key: no blobber gets a re-encryption key.
            let bare = try await session.share("/team/", to: reader.publicKey.clientID, expiry: expiry)
            // Only afterwards is a file encrypted into the directory; the reader reads it byte-exact.
            let later = try network.localFile("later.bin", size: 700_001, seed: 21)
            _ = try await Uploader(session: session, encrypt: true).upload([
                .init(localPath: later.path, remotePath: try RemotePath("/team/sub/later.bin"))
            ])
            let back = network.root + "/later.back"
            let read = try await run(
                "blob", ["download", "--home", readerHome.path, "--ticket", text, "/team/sub/later.bin", back, "--json"])
            #expect(read.status == 0, "\(read.stdout) \(read.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(later.bytes))

            // The ticket without a re-encryption key: no blobber transforms the capsule.
            let refused = try await run(
                "blob",
                ["download", "--home", readerHome.path, "--ticket", bare.text, "/team/sub/later.bin", back + "2", "--json"])
            let error = refused.json["error"] as? [String: Any]
            #expect(error?["code"] as? String == "client.bad_ticket", "\(refused.stdout)")
            #expect((error?["message"] as? String)?.contains("re-encryption key") == true, "\(refused.stdout)")
            #expect(!FileManager.default.fileExists(atPath: back + "2"))

            // A ticket for another reader, even with the reader's share key registered for it, is refused
            // before any blobber is asked; the blobbers would refuse it too (recipient).
            let other = SigningKey.generate()
            let foreign = try await session.share(
                "/team/", to: other.publicKey.clientID, shareKey: reader.shareKey, expiry: expiry)
            let wrongReader = try await run(
                "blob",
                ["download", "--home", readerHome.path, "--ticket", foreign.text, "/team/sub/later.bin", back + "3", "--json"])
            #expect((wrongReader.json["error"] as? [String: Any])?["code"] as? String == "client.bad_ticket")
            // And with the other wallet's key but this reader's share key registered, the capsule does not open.
            let otherSession = try await network.session(signer: other, ticket: foreign.ticket)
            let laterPath = try RemotePath("/team/sub/later.bin")
            do throws(ClientError) {
                _ = try await Downloader(session: otherSession, ticket: foreign).download(laterPath, to: back + "4")
                Issue.record("a capsule transformed for another reader opened")
            } catch {
                #expect(error.code == "client.bad_ticket", "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: back + "4"))
        }
    }

    @Test func revokedTicketsAreRefusedAndPublicLinksNeedNoWallet() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let owner = ["--home", network.home.path]
            let secret = try network.localFile("pub.bin", size: 300_000, seed: 23)
            _ = try await Uploader(session: session, encrypt: true).upload([
                .init(localPath: secret.path, remotePath: try RemotePath("/pub/a.bin"))
            ])
            let readerHome = ClientHome(explicit: network.root + "/reader")
            let reader = try readerHome.createWallet()
            try readerHome.saveSettings(ClientSettings(ledgerURL: network.ledger.url))
            let shared = try await run(
                "blob", ["share"] + owner + ["/pub/", "--to", ShareAddress(reader).text, "--json"])
            #expect(shared.status == 0, "\(shared.stdout) \(shared.stderr)")
            let text = try #require(shared.json["ticket"] as? String)
            let hash = try #require(shared.json["ticket_hash"] as? String)
            let back = network.root + "/pub.back"
            let before = try await run(
                "blob", ["download", "--home", readerHome.path, "--ticket", text, "/pub/a.bin", back, "--json"])
            #expect(before.status == 0, "\(before.stdout) \(before.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(secret.bytes))
            let listed = try await run("blob", ["share"] + owner + ["--list", "--json"])
            let rows = try #require(listed.json["tickets"] as? [[String: Any]], "\(listed.stdout) \(listed.stderr)")
            #expect(rows.count == 1 && rows[0]["ticket_hash"] as? String == hash && rows[0]["state"] as? String == "active")

            // Only the owner may revoke: the reader's own revoke_ticket is refused by the ledger.
            let ledger = LedgerClient(baseURL: network.ledger.url)
            let payload = RevokeTicketPayload(allocationID: session.id, ticketHash: try #require(Hash(hex: hash)))
            do throws(ClientError) {
                _ = try await ledger.submit(.revokeTicket, payload, key: reader)
                Issue.record("a reader revoked the owner's ticket")
            } catch {
                #expect(error.code == "ledger.not_owner", "\(error)")
            }
            let revoked = try await run("blob", ["share"] + owner + ["--revoke", String(hash.prefix(8)), "--json"])
            #expect(revoked.status == 0, "\(revoked.stdout) \(revoked.stderr)")
            #expect(revoked.json["revoked"] as? String == hash)
            let again = try await run("blob", ["share"] + owner + ["--revoke", hash, "--json"])
            #expect((again.json["error"] as? [String: Any])?["code"] as? String == "ledger.ticket_revoked")
            // Blobbers ask the ledger again at most every 2 s: after that, every one refuses the ticket.
            try await Task.sleep(for: .milliseconds(2_500))
            let after = try await run(
                "blob", ["download", "--home", readerHome.path, "--ticket", text, "/pub/a.bin", back + "2", "--json"])
            #expect(after.status == 1)
            let message = (after.json["error"] as? [String: Any])?["message"] as? String
            #expect(message?.contains("revoked") == true, "\(after.stdout)")
            #expect(!FileManager.default.fileExists(atPath: back + "2"))
            let relisted = try await run("blob", ["share"] + owner + ["--list", "--json"])
            #expect((relisted.json["tickets"] as? [[String: Any]])?.first?["state"] as? String == "revoked")

            // A public link: a home with no wallet at all reads and lists with it.
            let link = try await run("blob", ["share"] + owner + ["--public", "/pub/", "--expiry", "1h", "--json"])
            #expect(link.status == 0, "\(link.stdout) \(link.stderr)")
            let linkText = try #require(link.json["ticket"] as? String)
            let anyone = ["--home", network.root + "/anyone", "--ledger", network.ledger.url]
            let listing = try await run("blob", ["ls"] + anyone + ["--ticket", linkText, "--json"])
            #expect(
                (listing.json["files"] as? [[String: Any]])?.compactMap { $0["path"] as? String } == ["/pub/a.bin"],
                "\(listing.stdout) \(listing.stderr)")
            let fetched = try await run(
                "blob", ["download"] + anyone + ["--ticket", linkText, "/pub/a.bin", back + "3", "--json"])
            #expect(fetched.status == 0, "\(fetched.stdout) \(fetched.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: back + "3")) == Data(secret.bytes))
            #expect(!FileManager.default.fileExists(atPath: network.root + "/anyone/wallet.json"))
        }
    }

    @Test func reEncryptionKeyRegistrationsAreCheckedAsHostileInput() async throws {
        try await TestNetwork.with { network in
            let session = try await network.session()
            let blobber = session.blobbers[0]
            let reader = SigningKey.generate()
            let expiry = Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000
            let ticket = ShareTicket(
                allocationID: session.id, path: "/d/", ownerID: session.signer.publicKey.clientID,
                recipientID: reader.publicKey.clientID, expiry: expiry
            ).signed(with: session.signer)
            let good = ReencryptionKeyRequest(
                ticket: ticket,
                key: ProxyReencryption.reencryptionKey(owner: session.signer.shareScalar, reader: reader.shareKey))
            func code(_ request: ReencryptionKeyRequest, via client: BlobberClient? = nil) async -> String? {
                do throws(ClientError) {
                    _ = try await (client ?? blobber).registerReencryptionKey(request)
                    return nil
                } catch {
                    return error.code
                }
            }
            var identity = good
            identity.x = String(repeating: "0", count: 64)
            var notHex = good
            notHex.x = "xyz"
            var order = good
            order.rk = "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"
            var zero = good
            zero.rk = String(repeating: "0", count: 64)
            for bad in [identity, notHex, order, zero] { #expect(await code(bad) == "share.bad_key") }
            // A ticket not signed by the owner, one for another allocation, an expired one.
            var forged = good
            forged.ticket = ShareTicket(
                allocationID: session.id, path: "/d/", ownerID: session.signer.publicKey.clientID,
                recipientID: reader.publicKey.clientID, expiry: expiry + 1, signature: ticket.signature)
            var elsewhere = good
            elsewhere.ticket = ShareTicket(
                allocationID: AllocationID(SHA256.hash(Array("other".utf8))), path: "/d/",
                ownerID: session.signer.publicKey.clientID, recipientID: reader.publicKey.clientID, expiry: expiry
            ).signed(with: session.signer)
            var expired = good
            expired.ticket = ShareTicket(
                allocationID: session.id, path: "/d/", ownerID: session.signer.publicKey.clientID,
                recipientID: reader.publicKey.clientID, expiry: 1
            ).signed(with: session.signer)
            for bad in [forged, elsewhere, expired] { #expect(await code(bad) == "auth.bad_ticket") }
            // Someone other than the owner may not register.
            let stranger = try await network.session(signer: reader)
            #expect(await code(good, via: stranger.blobbers[0]) == "auth.not_owner")
            #expect(await code(good) == nil)
        }
    }

    @Test func aFullAllocationAndBadLocalFilesLeaveNothingBehind() async throws {
        // 1 MiB over 4 data shards: each blobber may hold 256 KiB = 4 blocks.
        try await TestNetwork.with(size: 1 << 20) { network in
            let session = try await network.session()
            let big = try network.localFile("big.bin", size: 5 * 4 * 65_536, seed: 8)
            let before = try await network.heads()
            await #expect {
                try await Uploader(session: session).upload([
                    .init(localPath: big.path, remotePath: try RemotePath("/big.bin"))
                ])
            } throws: { error in
                // Every blobber refuses the shard at staging, before any commit. A blobber answers the refusal
                // before it reads the body and closes the connection, so a client still sending may see the
                // close (AsyncHTTPClient: bodyLengthMismatch) instead of the answer; most see the answer.
                guard case ClientError.consensusFailed(let succeeded, _, let failures) = error else { return false }
                return succeeded == 0 && failures.count == 6
                    && failures.filter { $0.contains("allocation.capacity_exceeded") }.count >= 4
                    && failures.allSatisfy {
                        $0.contains("allocation.capacity_exceeded") || $0.contains("bodyLengthMismatch")
                            || $0.contains("closed")
                    }
            }
            await #expect(
                throws: ClientError.localFile(path: network.root + "/missing", reason: "No such file or directory")
            ) {
                try await Uploader(session: session).upload([
                    .init(localPath: network.root + "/missing", remotePath: try RemotePath("/missing"))
                ])
            }
            #expect(try await network.heads() == before)
            for directory in network.blobberDirectories {
                let staging =
                    (try? FileManager.default.contentsOfDirectory(
                        atPath: directory + "/staging/\(network.allocation.hex)")) ?? []
                #expect(staging.isEmpty, "\(directory): \(staging)")
            }
        }
    }
}
