import ArgumentParser
import Foundation
import RingtailClient

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print the value of a key.",
        discussion: "Prints the value alone (with a newline only on a terminal); a missing key prints nothing and exits 1."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The key.")
    var key: String

    @Option(name: .customLong("r"), help: "Read quorum R for this request (cluster).")
    var readQuorum: Int?

    func run() async throws {
        let key = Array(self.key.utf8)
        let found = try await withClient(connection) { try await $0.get(key, readQuorum: readQuorum) }
        guard let found else {
            if connection.json {
                printJSON(["key": self.key, "found": false])
            } else {
                printError("cachectl: key '\(self.key)' not found")
            }
            throw ExitStatus.notFound
        }
        if connection.json {
            let rendered = jsonValue(found.bytes)
            var object: [String: Any] = [
                "key": self.key, "found": true, "value": rendered.value, "encoding": rendered.encoding,
                "version": found.version.description,
            ]
            if let expiry = found.expiresAtMillis { object["expiresAtMillis"] = expiry }
            printJSON(object)
        } else {
            Output.write(found.bytes)
            if isatty(STDOUT_FILENO) != 0 { Output.write([0x0A]) }
        }
    }
}
