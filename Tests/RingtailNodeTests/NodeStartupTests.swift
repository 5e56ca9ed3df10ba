import Foundation
import Testing

/// A node that cannot open one of its listeners stops with the reason, rather than running on
/// half-started (or, as once with the Redis port taken, hanging deaf to SIGTERM).
@Suite(.timeLimit(.minutes(2)))
struct NodeStartupTests {
    enum Listener: String, CaseIterable {
        case rpc, redis, admin
    }

    @Test(arguments: Listener.allCases)
    func aTakenPortEndsTheNodeWithTheReason(_ taken: Listener) async throws {
        try await withNode { holder in
            let busy = "127.0.0.1:\(holder.port)"
            var arguments = ["--node-id", "second", "--threads", "2", "--listen", taken == .rpc ? busy : "127.0.0.1:0"]
            switch taken {
            case .rpc: arguments += ["--redis-listen", "127.0.0.1:0"]
            case .redis: arguments += ["--redis-listen", busy, "--admin-listen", "127.0.0.1:0"]
            case .admin: arguments += ["--redis-listen", "127.0.0.1:0", "--admin-listen", busy]
            }
            let process = Process()
            process.executableURL = try NodeProcess.executable("cache-node")
            process.arguments = arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            let running = process.isRunning
            if running {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(!running, "still running 20 s after its \(taken) port was refused:\n\(log)")
            #expect(process.terminationStatus != 0)
            #expect(log.contains("Address already in use"), "\(log)")
        }
    }

    /// Options out of range are refused before anything starts (status 64, the option named).
    @Test(arguments: [
        ["--threads", "0"], ["--replicas", "0"], ["--replicas", "2", "--write-quorum", "3"],
        ["--max-memory", "0"], ["--listen", "127.0.0.1:70000"], ["--shards", "3"],
        ["--slowlog-slower-than", "soon"], ["--slowlog-max-len", "-1"],
        ["--redis-io", "uring"], ["--redis-io-threads", "-1"], ["--redis-busy-poll-us", "1001"], ["--redis-busy-poll-us", "-5"],
    ])
    func optionsOutOfRangeAreRefused(_ bad: [String]) throws {
        let process = Process()
        process.executableURL = try NodeProcess.executable("cache-node")
        process.arguments = ["--node-id", "refused", "--listen", "127.0.0.1:0"] + bad
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 64, "\(bad): \(log)")
        #expect(log.contains(bad[bad.count - 2]), "the message names the option: \(log)")
    }
}
