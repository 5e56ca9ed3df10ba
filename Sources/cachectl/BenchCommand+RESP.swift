import NIOCore
import NIOPosix
import RingtailModel

extension BenchCommand {
    /// `cachectl bench --resp`: the same phases and report over Redis-protocol connections.
    func runRESP(_ settings: BenchSettings) async throws {
        // Validates --host and --timeout as every subcommand does; it never connects.
        let template = try connection.makeClient()
        let timeout = TimeAmount(template.requestTimeout)
        let requests = RESPBenchRequests(value: BenchWorkload.value(size: settings.valueSize), wait: settings.wait)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: settings.threads)
        var connections: [RESPBenchConnection] = []
        let outcome: Result<Void, any Error>
        do {
            for _ in 0..<settings.connections {
                connections.append(
                    try await RESPBenchConnection.connect(
                        to: template.address, on: group.next(), requests: requests,
                        connectTimeout: TimeAmount(template.connectTimeout), timeout: timeout
                    )
                )
            }
            try await BenchRunner(host: connection.host, settings: settings, connections: connections, json: connection.json).run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        for connection in connections { await connection.close() }
        try? await group.shutdownGracefully()
        switch outcome {
        case .success: return
        case .failure(let error as RESPBenchError):
            printError("cachectl: \(error)")
            throw error.isConnectionProblem ? ExitStatus.unreachable : ExitStatus.serverError
        case .failure(let error as ChannelError):
            printError("cachectl: cannot connect to \(connection.host): \(error)")
            throw ExitStatus.unreachable
        case .failure(let error as IOError):
            printError("cachectl: cannot connect to \(connection.host): \(error)")
            throw ExitStatus.unreachable
        case .failure(let error):
            if error is NIOConnectionError {
                printError("cachectl: cannot connect to \(connection.host): \(error)")
                throw ExitStatus.unreachable
            }
            throw error
        }
    }
}
