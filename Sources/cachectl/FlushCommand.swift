import ArgumentParser
import RingtailClient

struct FlushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush",
        abstract: "Remove every key from every member of the cluster (FLUSHALL).",
        discussion: """
            One write at a new version: every member drops what it holds at or below it and \
            refuses older writes from then on; members that are down apply it from gossip \
            when they return. Needs --yes.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Confirm that every key of the cluster is to go.")
    var yes = false

    func validate() throws {
        guard yes else { throw ValidationError("flush removes every key of the cluster; pass --yes to confirm") }
    }

    func run() async throws {
        let version = try await withClient(connection) { try await $0.flushAll() }
        if connection.json {
            printJSON(["flushed": true, "version": "\(version.modelVersion)"])
        } else {
            Output.line("flushed every member through \(version.modelVersion)")
        }
    }
}
