import Foundation
import Glibc
import Testing

/// What a node does when clients outnumber what it may or can serve.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ConnectionLimitTests {
    /// Redis's `maxclients`: one connection too many is told so and closed; the others are served,
    /// and a place freed is taken again.
    @Test func redisClientsBeyondTheLimitAreToldAndClosed() async throws {
        try await withNode(arguments: ["--redis-listen", "127.0.0.1:0", "--redis-max-clients", "2"]) { node in
            let port = try #require(node.redisPort)
            var first = try RawSocket(port: port)
            var second = try RawSocket(port: port)
            #expect(try Self.roundTrip(&first, "PING\r\n") == "+PONG\r\n")
            #expect(try Self.roundTrip(&second, "PING\r\n") == "+PONG\r\n")
            var third = try RawSocket(port: port)
            #expect(try Self.roundTrip(&third, "PING\r\n") == "-ERR max number of clients reached\r\n")
            let closed = third.receiveUntilClosed()
            #expect(closed, "the refused connection is closed")
            first.close()
            // The place is free once the node has seen the close; on a busy machine, a moment.
            var fourth = try RawSocket(port: port)
            var answer = try Self.roundTrip(&fourth, "PING\r\n")
            for _ in 0..<50 where answer != "+PONG\r\n" {
                fourth.close()
                try await Task.sleep(for: .milliseconds(100))
                fourth = try RawSocket(port: port)
                answer = try Self.roundTrip(&fourth, "PING\r\n")
            }
            #expect(answer == "+PONG\r\n")
            let info = try Self.roundTrip(&fourth, "INFO\r\n")
            #expect(info.contains("maxclients:2\r\n"))
            #expect(!info.contains("rejected_connections:0\r\n") && info.contains("rejected_connections:"))
            #expect(try Self.roundTrip(&fourth, "CONFIG GET maxclients\r\n") == "*2\r\n$10\r\nmaxclients\r\n$1\r\n2\r\n")
        }
    }

    /// Out of file descriptors, a node pauses accepting instead of spinning on `accept`, says
    /// so in its log, and accepts again once descriptors are free.
    @Test func outOfFileDescriptorsTheNodePausesAcceptingAndRecovers() async throws {
        let (process, log) = try Self.startWithFewDescriptors("")
        defer { Self.stop(process) }
        let rpcPort = try #require(try await Self.port(of: "ringtail-rpc", in: log), "the node did not start:\n\(log.text)")
        // More connections than descriptors: the kernel completes them all, the node cannot.
        var held: [RawSocket] = []
        for _ in 0..<250 { held.append(try RawSocket(port: rpcPort)) }
        try await Task.sleep(for: .seconds(1))
        let before = try Self.cpuTicks(process.processIdentifier)
        try await Task.sleep(for: .seconds(2))
        let spent = try Self.cpuTicks(process.processIdentifier) - before
        // A spinning accept loop burns the whole 2 s (~200 ticks); paused, it is idle.
        #expect(spent < 100, "\(spent) ticks of CPU in 2 s while out of descriptors")
        #expect(log.text.contains("cannot accept connections; pausing accepts"), "\(log.text)")
        for index in held.indices { held[index].close() }
        let cachectl = Process()
        cachectl.executableURL = try NodeProcess.executable("cachectl")
        cachectl.arguments = ["--host", "127.0.0.1:\(rpcPort)", "ping"]
        let answer = Pipe()
        cachectl.standardOutput = answer
        try cachectl.run()
        let text = String(decoding: answer.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        cachectl.waitUntilExit()
        #expect(cachectl.terminationStatus == 0 && text.contains("PONG"), "accepting again once descriptors were free: \(text)")
    }

    /// The same on the Redis port's epoll loops, which watch the listening socket themselves:
    /// out of descriptors (used up here by binary RPC connections, since Redis clients beyond
    /// what the open-file limit allows are told so and closed) they stop watching it for a
    /// while rather than spin on it, log it, and answer again once descriptors are free.
    @Test func outOfFileDescriptorsTheRedisPortPausesAcceptingAndRecovers() async throws {
        let (process, log) = try Self.startWithFewDescriptors(" --redis-listen 127.0.0.1:0 --redis-io epoll")
        defer { Self.stop(process) }
        let rpcPort = try #require(try await Self.port(of: "ringtail-rpc", in: log), "the node did not start:\n\(log.text)")
        let redisPort = try #require(try await Self.port(of: "redis", in: log), "the node did not start:\n\(log.text)")
        var held: [RawSocket] = []
        for _ in 0..<200 { held.append(try RawSocket(port: rpcPort)) }
        // Until the node has used its descriptors up on those: Redis clients accepted before
        // would be refused and closed, freeing theirs.
        for _ in 0..<100 where !log.text.contains("protocol=ringtail-rpc [RingtailNode] cannot accept") {
            try await Task.sleep(for: .milliseconds(50))
        }
        for _ in 0..<20 { held.append(try RawSocket(port: redisPort)) }
        try await Task.sleep(for: .seconds(1))
        let before = try Self.cpuTicks(process.processIdentifier)
        try await Task.sleep(for: .seconds(2))
        let spent = try Self.cpuTicks(process.processIdentifier) - before
        #expect(spent < 100, "\(spent) ticks of CPU in 2 s while out of descriptors")
        let pauses = log.text.split(separator: "\n").filter { $0.contains("pausing accepts") && $0.contains("protocol=redis") }
        #expect(!pauses.isEmpty, "\(log.text)")
        for index in held.indices { held[index].close() }
        try await Task.sleep(for: .milliseconds(500))
        var client = try RawSocket(port: redisPort)
        defer { client.close() }
        client.send(Array("PING\r\n".utf8))
        let reply = try client.receiveText()
        #expect(reply.contains("+PONG"), "accepting again once descriptors were free: \(reply)")
    }

    /// A node allowed 128 open files, its output captured; `extraArguments` go on its command line.
    private static func startWithFewDescriptors(_ extraArguments: String) throws -> (Process, LogCapture) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let node = try NodeProcess.executable("cache-node").path
        process.arguments = ["-c", "ulimit -n 128 && exec \"$0\" --node-id fds --listen 127.0.0.1:0 --threads 1" + extraArguments, node]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let log = LogCapture(output.fileHandleForReading)
        try process.run()
        return (process, log)
    }

    private static func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The port the node logged it listens on for `protocolName`, once it has (nil after 30 s).
    private static func port(of protocolName: String, in log: LogCapture) async throws -> Int? {
        for _ in 0..<600 {
            if let port = log.firstMatch(after: "protocol=\(protocolName)", key: "port") { return port }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Accepted connections, Redis and binary RPC alike, have TCP keepalive armed, so a client
    /// that vanished without closing does not keep its slot for ever.
    @Test func acceptedConnectionsProbeIdlePeers() async throws {
        try await withNode(arguments: ["--redis-listen", "127.0.0.1:0"]) { node in
            let ports = [node.port, try #require(node.redisPort)]
            var clients: [RawSocket] = []
            for port in ports { clients.append(try RawSocket(port: port)) }
            defer { for index in clients.indices { clients[index].close() } }
            for port in ports {
                // The option is set when the node accepts; on a busy machine that can take a moment.
                var timers = try Self.serverSideTimers(localPort: port)
                for _ in 0..<50 where timers.isEmpty || !timers.allSatisfy({ $0 == 2 }) {
                    try await Task.sleep(for: .milliseconds(100))
                    timers = try Self.serverSideTimers(localPort: port)
                }
                #expect(!timers.isEmpty, "no established connection on port \(port)")
                // /proc/net/tcp's "tr" field: 2 is the keepalive timer (0 would be none armed).
                #expect(timers.allSatisfy { $0 == 2 }, "timers \(timers) on port \(port)")
            }
        }
    }

    /// The timer kinds of the established loopback connections whose local port is `localPort`.
    private static func serverSideTimers(localPort: Int) throws -> [Int] {
        // Read to the end: `String(contentsOfFile:)` stops after procfs's first 4 KiB page,
        // which holds only the first ~27 sockets of a busy machine.
        let file = try #require(FileHandle(forReadingAtPath: "/proc/net/tcp"))
        defer { try? file.close() }
        let table = String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
        let suffix = ":" + String(format: "%04X", localPort)
        return table.split(separator: "\n").dropFirst().compactMap { line -> Int? in
            let fields = line.split(separator: " ")
            guard fields.count > 5, fields[1].hasSuffix(suffix), fields[3] == "01" else { return nil }
            return Int(fields[5].prefix { $0 != ":" }, radix: 16)
        }
    }

    private static func roundTrip(_ socket: inout RawSocket, _ request: String) throws -> String {
        socket.send(Array(request.utf8))
        return try socket.receiveText()
    }

    /// User plus system CPU ticks of `pid` so far.
    private static func cpuTicks(_ pid: Int32) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
        let fields = stat[stat.index(after: try #require(stat.lastIndex(of: ")")))...].split(separator: " ")
        return Int(fields[11])! + Int(fields[12])!
    }
}
