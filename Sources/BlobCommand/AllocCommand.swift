import ArgumentParser
import Client
import Merkle
import Foundation
import StorageProtocol

struct AllocCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alloc", abstract: "Buy and inspect allocations.", subcommands: [New.self, List.self, Show.self, Update.self, Cancel.self])

    struct Summary: Encodable {
        var id: String
        var dataShards: Int
        var parityShards: Int
        var size: UInt64
        var shardSize: UInt64
        var expiry: Int64
        var writePool: UInt64
        var isDefault: Bool
        /// `live`, `expired` (its data is no longer paid for; the ledger finalizes it) or `finalized`.
        var state: String
        /// What the owner can do next, in one sentence.
        var hint: String
        var blobbers: [Place]

        struct Place: Encodable {
            var shardIndex: Int
            var id: String
            var sequence: UInt64
            var allocationRoot: String
            var chainSize: UInt64

            enum CodingKeys: String, CodingKey {
                case shardIndex = "shard_index"
                case id, sequence
                case allocationRoot = "allocation_root"
                case chainSize = "chain_size"
            }
        }

        enum CodingKeys: String, CodingKey {
            case id, size, expiry, blobbers, state, hint
            case dataShards = "data_shards"
            case parityShards = "parity_shards"
            case shardSize = "shard_size"
            case writePool = "write_pool"
            case isDefault = "default"
        }

        init(_ view: AllocationView, isDefault: Bool) {
            id = view.allocation.id.hex
            dataShards = view.allocation.dataShards
            parityShards = view.allocation.parityShards
            size = view.allocation.size
            shardSize = view.allocation.shardSize
            expiry = view.allocation.expiry
            writePool = view.allocation.writePool
            self.isDefault = isDefault
            let now = Clock.nowMillis
            if view.allocation.finalized {
                state = "finalized"
                hint = "finalized: the blobbers were paid and no longer keep its data; create a new one with `blob alloc new`"
            } else if now > expiry {
                state = "expired"
                hint = "expired: reads and writes are refused and it cannot be extended; create a new one with `blob alloc new`"
            } else {
                state = "live"
                hint =
                    "live for \(Sizes.formatDuration(milliseconds: expiry - now)) more; extend with `blob alloc update --extend 30d`, "
                    + "grow with `blob alloc update --size SIZE`"
            }
            blobbers = view.blobbers.sorted { $0.shardIndex < $1.shardIndex }.map {
                Place(
                    shardIndex: $0.shardIndex, id: $0.blobberID.hex, sequence: $0.head.sequence,
                    allocationRoot: $0.head.allocationRoot.hex, chainSize: $0.head.chainSize)
            }
        }

        var text: String {
            let expires = Date(timeIntervalSince1970: Double(expiry) / 1000)
            var lines = [
                "allocation \(id)\(isDefault ? " (default)" : "")",
                "  \(dataShards)+\(parityShards), \(Sizes.format(bytes: size)), expires \(expires), write pool \(Output.tokens(writePool)) tokens",
                "  \(hint)",
            ]
            for place in blobbers {
                lines.append(
                    "  shard \(place.shardIndex): \(place.id.prefix(16))  seq \(place.sequence)  \(Sizes.format(bytes: place.chainSize))"
                )
            }
            return lines.joined(separator: "\n")
        }
    }

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an allocation on blobbers chosen by free space, price, region and measured latency.")
        @OptionGroup var options: GlobalOptions

        @Option(help: "Data shards (k).") var data: Int = 4
        @Option(help: "Parity shards (m).") var parity: Int = 2
        @Option(help: "Size, e.g. 2GiB or 500MB.") var size: String
        @Option(help: "Lifetime, e.g. 30d, 12h.") var expiry: String = "30d"
        @Option(help: "Only blobbers in this region (repeat for several).") var region: [String] = []
        @Option(help: "Comma-separated blobber ids in shard order, instead of choosing.") var blobbers: String?
        @Option(
            name: .customLong("spread-regions"),
            help: "Use at least N regions, none holding so many shards that losing it leaves fewer than --data (0: no rule).")
        var spreadRegions: Int = 0

        func validate() throws {
            guard Sizes.parseBytes(size) ?? 0 > 0 else {
                throw ValidationError("--size \(size) is not a size like 2GiB")
            }
            guard Sizes.parseDuration(expiry) != nil else {
                throw ValidationError("--expiry \(expiry) is not like 30d or 12h")
            }
            guard data >= 1, parity >= 0, data + parity <= 256 else {
                throw ValidationError("need --data ≥ 1, --parity ≥ 0 and at most 256 shards in all")
            }
            guard spreadRegions >= 0, spreadRegions <= data + parity else {
                throw ValidationError("--spread-regions must be 0 to --data + --parity")
            }
        }

        func run() async throws {
            try await runCommand(options, text: \.text) { context throws(ClientError) in
                var explicit: [BlobberID]?
                if let blobbers {
                    explicit = try blobbers.split(separator: ",").map { text throws(ClientError) in
                        guard let id = BlobberID(hex: text) else {
                            throw .invalidArgument("\(text) is not a blobber id")
                        }
                        return id
                    }
                }
                let service = AllocationService(ledger: try context.ledger(), owner: try context.wallet())
                let view = try await service.create(
                    .init(
                        dataShards: data, parityShards: parity, size: Sizes.parseBytes(size)!,
                        lifetime: Sizes.parseDuration(expiry)!, regions: Set(region), blobbers: explicit,
                        spreadRegions: spreadRegions))
                context.settings.allocations.append(view.allocation.id)
                context.settings.defaultAllocation = view.allocation.id
                try context.home.saveSettings(context.settings)
                return Summary(view, isDefault: true)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the allocations this wallet created.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await runCommand(options, text: { $0.map(\.text).joined(separator: "\n") }) {
                context throws(ClientError) in
                let ledger = try context.ledger()
                var out: [Summary] = []
                for id in context.settings.allocations {
                    out.append(
                        Summary(try await ledger.allocation(id), isDefault: id == context.settings.defaultAllocation))
                }
                return out
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one allocation (the default one without --alloc).")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Allocation id.") var alloc: String?

        func run() async throws {
            try await runCommand(options, text: \.text) { context throws(ClientError) in
                let id = try context.allocationID(alloc)
                return Summary(
                    try await context.ledger().allocation(id), isDefault: id == context.settings.defaultAllocation)
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Extend, grow, add a blobber to or replace a blobber of an allocation (the default one without --alloc).",
            discussion: """
                The write pool is topped up from your balance by what the ledger then requires. A new or \
                replacement blobber starts empty: run `blob repair` to fill it. `auto` chooses as `blob alloc new` \
                does, never a blobber already in the allocation.
                """)
        @OptionGroup var options: GlobalOptions
        @Option(help: "Allocation id.") var alloc: String?
        @Option(help: "Add this much to the expiry, e.g. 30d.") var extend: String?
        @Option(help: "The new size, e.g. 4GiB.") var size: String?
        @Option(name: .customLong("add-blobber"), help: "Add a parity shard on this blobber id, or `auto`.")
        var addBlobber: String?
        @Option(help: "The blobber id to replace (with --with).") var replace: String?
        @Option(name: .customLong("with"), help: "The replacement: a blobber id, or `auto`.") var replacement: String?

        func validate() throws {
            if let extend, Sizes.parseDuration(extend) ?? 0 <= 0 {
                throw ValidationError("--extend \(extend) is not like 30d or 12h")
            }
            if let size, Sizes.parseBytes(size) ?? 0 == 0 { throw ValidationError("--size \(size) is not a size like 4GiB") }
            guard (replace == nil) == (replacement == nil) else {
                throw ValidationError("--replace OLD needs --with NEW (a blobber id or auto), and --with needs --replace")
            }
            guard extend != nil || size != nil || addBlobber != nil || replace != nil else {
                throw ValidationError("nothing to change: give --extend, --size, --add-blobber or --replace … --with …")
            }
        }

        func run() async throws {
            try await runCommand(options, text: \.text) { context throws(ClientError) in
                let id = try context.allocationID(alloc)
                var change = AllocationService.Change(
                    extend: extend.flatMap(Sizes.parseDuration), size: size.flatMap(Sizes.parseBytes))
                if let addBlobber { change.addBlobber = try Self.choice(addBlobber, "--add-blobber") }
                if let replace, let replacement {
                    guard let from = BlobberID(hex: replace) else {
                        throw .invalidArgument("--replace \(replace) is not a blobber id")
                    }
                    change.replace = (from, try Self.choice(replacement, "--with"))
                }
                let service = AllocationService(ledger: try context.ledger(), owner: try context.wallet())
                let view = try await service.update(id, change)
                return Summary(view, isDefault: id == context.settings.defaultAllocation)
            }
        }

        static func choice(_ text: String, _ option: String) throws(ClientError) -> AllocationService.BlobberChoice {
            if text == "auto" { return .auto }
            guard let id = BlobberID(hex: text) else { throw .invalidArgument("\(option) \(text) is not a blobber id or auto") }
            return .id(id)
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End an allocation now: the blobbers are paid what they earned, the rest returns to you.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Allocation id (required: cancelling cannot be undone).") var alloc: String

        func run() async throws {
            try await runCommand(options, text: \.text) { context throws(ClientError) in
                let id = try context.allocationID(alloc)
                let service = AllocationService(ledger: try context.ledger(), owner: try context.wallet())
                let view = try await service.cancel(id)
                return Summary(view, isDefault: id == context.settings.defaultAllocation)
            }
        }
    }
}
