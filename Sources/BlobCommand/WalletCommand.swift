import ArgumentParser
import Client
import Merkle
import StorageProtocol

struct WalletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet", abstract: "Create and inspect the wallet (an Ed25519 key).",
        subcommands: [Create.self, Show.self, Faucet.self])

    struct Info: Encodable {
        var clientID: String
        var publicKey: String
        /// `CLIENT_ID:SHARE_KEY`: what an owner gives `blob share --to` to share encrypted files.
        var shareAddress: String
        var path: String
        var balance: UInt64?

        init(key: SigningKey, path: String) {
            clientID = key.id.hex
            publicKey = key.publicKey.hex
            shareAddress = ShareAddress(key).text
            self.path = path
        }

        enum CodingKeys: String, CodingKey {
            case clientID = "client_id"
            case publicKey = "public_key"
            case shareAddress = "share_address"
            case path, balance
        }

        var text: String {
            var lines = [
                "client id   \(clientID)", "public key  \(publicKey)", "share with  \(shareAddress)",
                "wallet      \(path)",
            ]
            if let balance { lines.append("balance     \(Output.tokens(balance)) tokens (\(balance) units)") }
            return lines.joined(separator: "\n")
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a new wallet; never replaces one.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await runCommand(options, text: \.text) { context throws(ClientError) in
                let key = try context.home.createWallet()
                return Info(key: key, path: context.home.walletPath)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the wallet's id and, with a ledger, its balance.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await runCommand(options, text: \.text) { context throws(ClientError) in
                let key = try context.wallet()
                var info = Info(key: key, path: context.home.walletPath)
                if options.ledger != nil || context.settings.ledgerURL != nil {
                    info.balance = try await context.ledger().balance(of: key.id)
                }
                return info
            }
        }
    }

    struct Faucet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mint test tokens (test networks only).")
        @OptionGroup var options: GlobalOptions

        @Option(help: "Tokens to mint.")
        var tokens: UInt64 = 100

        func validate() throws {
            guard tokens > 0, tokens <= UInt64.max / Token.unitsPerToken else {
                throw ValidationError("--tokens must be positive")
            }
        }

        func run() async throws {
            try await runCommand(options, text: \.text) { context throws(ClientError) in
                let key = try context.wallet()
                let receipt = try await context.ledger().submit(
                    .faucet, FaucetPayload(amount: tokens * Token.unitsPerToken), key: key)
                var info = Info(key: key, path: context.home.walletPath)
                info.balance = receipt.result.balance
                return info
            }
        }
    }
}
