import Foundation
import Synchronization
import Testing

/// A real `cache-node` process on a free loopback port, for tests. Its log is captured and
/// printed only when a test using it fails (see `withNode`). It is always stopped by PID.
final class NodeProcess: Sendable {
    let process: Process
    let port: Int
    /// The Redis-protocol port, when the node was started with `--redis-listen`.
    let redisPort: Int?
    let nodeID: String
    private let log: LogCapture

    var address: String { "127.0.0.1:\(port)" }
    var pid: Int32 { process.processIdentifier }
    var logText: String { log.text }

    private init(process: Process, port: Int, redisPort: Int?, nodeID: String, log: LogCapture) {
        self.process = process
        self.port = port
        self.redisPort = redisPort
        self.nodeID = nodeID
        self.log = log
    }

    /// The directory holding the package's built executables: the test bundle lives there.
    static var binDirectory: URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent()
    }

    static func executable(_ name: String) throws -> URL {
        let url = binDirectory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw TestFailure("\(name) is not built at \(url.path); run `swift build --build-tests` first")
        }
        return url
    }

    /// Starts a node with `--listen 127.0.0.1:0` and waits until it reports its port (and its
    /// Redis port too, when `arguments` include `--redis-listen`).
    static func start(nodeID: String = "test-node", listen: String = "127.0.0.1:0", arguments: [String] = [], environment: [String: String] = [:]) throws -> NodeProcess {
        let process = Process()
        process.executableURL = try executable("cache-node")
        process.arguments = ["--node-id", nodeID, "--listen", listen, "--threads", "2"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        let log = LogCapture(pipe.fileHandleForReading)
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        let wantsRedis = arguments.contains("--redis-listen")
        while Date() < deadline {
            // Each listener logs `listening` with its protocol; pick each one's line.
            if let port = log.firstMatch(after: "protocol=ringtail-rpc", key: "port") {
                let redisPort = log.firstMatch(after: "protocol=redis", key: "port")
                if !wantsRedis || redisPort != nil {
                    return NodeProcess(process: process, port: port, redisPort: redisPort, nodeID: nodeID, log: log)
                }
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        throw TestFailure("cache-node did not start listening:\n\(log.text)")
    }

    /// Sends `signal` and waits up to `seconds` for the exit; SIGKILLs after that.
    /// Returns the exit status, or nil when it had to be killed.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, seconds: Double = 10) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }
}

/// Runs `body` with a fresh node; prints the node's log when the body throws (checks that
/// matter use `try #require`, which throws), and always stops the node.
func withNode<T>(
    nodeID: String = "test-node",
    arguments: [String] = [],
    _ body: (NodeProcess) async throws -> T
) async throws -> T {
    let node = try NodeProcess.start(nodeID: nodeID, arguments: arguments)
    do {
        let result = try await body(node)
        node.stop()
        return result
    } catch {
        node.stop()
        print("--- log of \(node.nodeID) (test threw \(error)) ---\n\(node.logText)")
        throw error
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Collects a child's output on a background reader.
final class LogCapture: Sendable {
    private let buffer = Mutex<String>("")

    init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            self?.buffer.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
    }

    var text: String { buffer.withLock { $0 } }

    /// The integer value of `key=` on the first line that contains `marker`.
    func firstMatch(after marker: String, key: String) -> Int? {
        for line in text.split(separator: "\n") where line.contains(marker) {
            guard let range = line.range(of: "\(key)=") else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            if let value = Int(digits) { return value }
        }
        return nil
    }
}
