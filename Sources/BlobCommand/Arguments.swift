import ArgumentParser
import Foundation

/// What `blob` does to its command line before swift-argument-parser reads it: global options given
/// before the subcommand move after it (`blob --home X ls` reads as `blob ls --home X`), and a mistyped
/// subcommand gets a suggestion.
enum Arguments {
    /// Global options (GlobalOptions) that take a value.
    static let valued: Set<String> = ["--home", "--ledger", "--lock-wait"]
    /// Global flags.
    static let flags: Set<String> = ["--json"]

    /// `arguments` with the global options found before the first subcommand moved to the end (before a
    /// `--` if there is one).
    static func arranged(_ arguments: [String]) -> [String] {
        var moved: [String] = []
        var rest: [String] = []
        var index = 0
        var seenCommand = false
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            if !seenCommand, flags.contains(argument) {
                moved.append(argument)
            } else if !seenCommand, valued.contains(name) {
                moved.append(argument)
                if !argument.contains("="), index + 1 < arguments.count {
                    index += 1
                    moved.append(arguments[index])
                }
            } else {
                if !argument.hasPrefix("-") { seenCommand = true }
                rest.append(argument)
            }
            index += 1
        }
        guard !moved.isEmpty else { return arguments }
        if let end = rest.firstIndex(of: "--") {
            rest.insert(contentsOf: moved, at: end)
            return rest
        }
        return rest + moved
    }

    /// When the first word of `arguments` names no subcommand of `commands` but is close to one (at
    /// most two edits, and fewer than half its letters): that one.
    static func suggestion(for arguments: [String], commands: [String]) -> (typed: String, meant: String)? {
        guard let typed = arguments.first(where: { !$0.hasPrefix("-") }), !commands.contains(typed), typed != "help"
        else { return nil }
        let ranked = commands.map { (name: $0, edits: distance(typed, $0)) }.min { $0.edits < $1.edits }
        guard let best = ranked, best.edits <= 2, best.edits * 2 < max(typed.count, best.name.count) else {
            return nil
        }
        return (typed, best.name)
    }

    /// Levenshtein distance (insertions, deletions, substitutions; a swap of two neighbours counts one).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
                }
            }
        }
        return rows[a.count][b.count]
    }
}
