import ArgumentParser
import Foundation
import RingtailClient
import RingtailModel

/// Options every subcommand shares.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The node to talk to, host:port. [env: RINGTAIL_HOST]")
    var host: String = ProcessInfo.processInfo.environment["RINGTAIL_HOST"] ?? "127.0.0.1:7001"

    @Option(help: "Request timeout, e.g. 500ms or 5s.")
    var timeout: String = "5s"

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    func makeClient() throws -> RingtailClient {
        guard let address = HostAndPort(host) else {
            throw ValidationError("--host must be host:port, got '\(host)'")
        }
        guard let millis = HumanUnits.parseMillis(timeout), millis > 0 else {
            throw ValidationError("--timeout must be a duration such as 500ms or 5s, got '\(timeout)'")
        }
        return RingtailClient(address: address, requestTimeout: .milliseconds(Int64(millis)))
    }
}

/// Exit statuses that scripts can rely on.
enum ExitStatus {
    static let notFound = ExitCode(1)
    static let unreachable = ExitCode(2)
    static let serverError = ExitCode(3)
}

/// Runs `body` against a client, turning failures into a message on stderr and the
/// documented exit status.
func withClient<T>(_ options: ConnectionOptions, _ body: (RingtailClient) async throws -> T) async throws -> T {
    let client = try options.makeClient()
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch let error as RingtailClientError {
        await client.close()
        printError("cachectl: \(error)")
        throw error.isConnectionProblem ? ExitStatus.unreachable : ExitStatus.serverError
    }
}

func printError(_ message: String) {
    Output.error(message)
}

/// Prints `object` as one line of JSON.
func printJSON(_ object: [String: Any]) {
    if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
        Output.write(Array(data) + [UInt8(ascii: "\n")])
    }
}

/// A JSON-safe rendering of bytes: UTF-8 text when it is, base64 otherwise.
func jsonValue(_ bytes: [UInt8]) -> (value: String, encoding: String) {
    if let text = String(validating: bytes, as: UTF8.self) {
        return (text, "utf8")
    }
    return (Data(bytes).base64EncodedString(), "base64")
}
