import Foundation

/// Writes every target's seeds to `folder/TARGET/seed-NN` (the committed corpus in `Fuzz/Corpus`).
enum SeedCorpus {
    static func write(to folder: String) -> CInt {
        let manager = FileManager.default
        for target in FuzzTarget.all {
            let directory = URL(fileURLWithPath: folder).appendingPathComponent(target.name)
            do {
                try manager.createDirectory(at: directory, withIntermediateDirectories: true)
                for (index, seed) in target.seeds().enumerated() {
                    let name = "seed-" + (index < 10 ? "0" : "") + String(index)
                    try Data(seed).write(to: directory.appendingPathComponent(name))
                }
            } catch {
                FileHandle.standardError.write(Data("blob-fuzz: cannot write \(directory.path): \(error)\n".utf8))
                return 1
            }
        }
        return 0
    }
}
