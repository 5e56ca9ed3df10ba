import Testing

/// `--redis-io auto`: connections live on the epoll loops while the node serves alone, on NIO
/// once it coordinates.
@Suite(.timeLimit(.minutes(3)))
struct RedisIOHandOverTests {
    /// A connection opened while its node served alone moves to NIO, between two requests,
    /// once the node coordinates: with its session (id, name), still counted and listed, and
    /// CLIENT KILL still reaches it.
    @Test func aConnectionFromBeforeTheClusterFormedMovesToNIOWithItsSession() async throws {
        let cli = try ExternalTool.redisCLI()
        let flags = RedisClusterTests.flags + ["--redis-io", "auto"]
        try await withNodeGroup { group in
            let first = try group.start(nodeID: "node-1", arguments: flags)
            let port = try #require(first.redisPort)
            func info() throws -> String { try cli.run(["-p", "\(port)", "INFO", "clients"]).stdout }
            var early = try RawSocket(port: port)
            func call(_ words: String...) throws -> String {
                early.send(Array(words.reduce("*\(words.count)\r\n") { $0 + "$\($1.utf8.count)\r\n\($1)\r\n" }.utf8))
                return try early.receiveText()
            }
            let named = try call("CLIENT", "SETNAME", "early")
            #expect(named == "+OK\r\n")
            let id = try call("CLIENT", "ID")
            // The early connection and redis-cli's own.
            #expect(try info().contains("ringtail_clients_on_epoll:2"))

            try await RedisClusterTests.joinTwoMore(to: first, in: group, flags: flags)

            let replies = try [call("SET", "k", "v"), call("GET", "k"), call("CLIENT", "GETNAME"), call("CLIENT", "ID")]
            #expect(replies == ["+OK\r\n", "$1\r\nv\r\n", "$5\r\nearly\r\n", id])
            let after = try info()
            #expect(after.contains("ringtail_clients_on_epoll:0") && after.contains("connected_clients:2"), "\(after)")
            let number = id.dropFirst().prefix { $0.isNumber }
            let listed = try cli.run(["-p", "\(port)", "CLIENT", "LIST", "ID", String(number)]).stdout
            #expect(listed.contains("name=early"), "\(listed)")
            let killed = try cli.run(["-p", "\(port)", "CLIENT", "KILL", "ID", String(number)]).stdout
            #expect(killed.trimmingCharacters(in: .whitespacesAndNewlines) == "1", "\(killed)")
            let closed = early.receiveUntilClosed()
            #expect(closed)
            #expect(try info().contains("connected_clients:1"))
        }
    }
}
