import ArgumentParser
import RingtailClient

struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a key (leaves a tombstone so replicas agree it is gone)."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The key.")
    var key: String

    @Option(name: .customLong("w"), help: "Write quorum W for this request (cluster).")
    var writeQuorum: Int?

    func run() async throws {
        let key = Array(self.key.utf8)
        let existed = try await withClient(connection) { try await $0.delete(key, writeQuorum: writeQuorum) }
        if connection.json {
            printJSON(["key": self.key, "deleted": true, "existed": existed])
        } else {
            Output.line(existed ? "deleted" : "deleted (was not present)")
        }
    }
}
