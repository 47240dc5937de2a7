import StorageProtocol
import Testing

@Suite struct RemotePathTests {
    @Test(arguments: ["/a", "/a.txt", "/docs/b c.pdf", "/ünï/çødé", "/a/..b", "/.hidden"])
    func acceptsGoodPaths(path: String) throws {
        #expect(try RemotePath(path).string == path)
    }

    @Test(arguments: [
        "", "a", "/", "/a/", "//a", "/a//b", "/./a", "/a/.", "/a/../b", "/..", "/a\u{0}b", "/a\nb", "/a\u{7f}",
        "/" + String(repeating: "x", count: 1024),
    ])
    func refusesBadPaths(path: String) {
        #expect(throws: PathError.self) { try RemotePath(path) }
    }

    @Test func refusesInvalidUTF8() {
        let error = #expect(throws: PathError.self) { try RemotePath(utf8: [0x2f, 0x61, 0xff, 0xfe]) }
        #expect(error?.code == "path.invalid")
        #expect(error?.description.contains("UTF-8") == true)
        #expect(try! RemotePath(utf8: Array("/ok".utf8)).string == "/ok")
    }

    @Test func directory() throws {
        #expect(try RemotePath("/a/b/c.txt").directory == "/a/b/")
        #expect(try RemotePath("/c.txt").directory == "/")
    }
}
