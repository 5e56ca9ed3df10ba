import ArgumentParser
import Foundation
import RingtailClient
import RingtailModel

struct SetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Store a value under a key.",
        discussion: "Use - as the value to read it, bytes as they are, from standard input."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The key.")
    var key: String

    @Argument(help: "The value, or - to read it from standard input.")
    var value: String

    @Option(help: "Expire the key after this long, e.g. 30s, 5m, 250ms.")
    var ttl: String?

    @Option(name: .customLong("w"), help: "Write quorum W for this request (cluster).")
    var writeQuorum: Int?

    func validate() throws {
        // 0 would mean "no expiry" on the wire: refuse it, as Redis refuses EX 0, rather than
        // store forever what was meant to vanish.
        if let ttl, (HumanUnits.parseMillis(ttl) ?? 0) == 0 {
            throw ValidationError("--ttl must be a positive duration such as 30s or 250ms (omit it for no expiry), got '\(ttl)'")
        }
    }

    func run() async throws {
        let bytes: [UInt8] = value == "-" ? try Output.readStandardInput() : Array(value.utf8)
        let ttlMillis = ttl.flatMap(HumanUnits.parseMillis)
        let key = Array(self.key.utf8)
        let version = try await withClient(connection) {
            try await $0.set(key, value: bytes, ttlMillis: ttlMillis, writeQuorum: writeQuorum)
        }
        if connection.json {
            printJSON(["key": self.key, "stored": true, "bytes": bytes.count, "version": version.description])
        } else {
            Output.line("OK")
        }
    }
}
