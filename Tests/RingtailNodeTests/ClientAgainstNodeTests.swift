import Glibc
import NIOCore
import RingtailClient
import RingtailModel
import RingtailWire
import Testing

/// A real cache-node process driven through the client library.
@Suite(.timeLimit(.minutes(2)))
struct ClientAgainstNodeTests {
    @Test func setGetDeleteRoundTrip() async throws {
        try await withNode { node in
            let client = RingtailClient(address: try #require(HostAndPort(node.address)))
            defer { Task { await client.close() } }
            let pong = try await client.ping()
            #expect(pong.nodeId == "test-node")

            let key = Array("user:1".utf8)
            #expect(try await client.get(key) == nil)
            let first = try await client.set(key, value: Array("alice".utf8))
            let read = try #require(try await client.get(key))
            #expect(read.bytes == Array("alice".utf8))
            #expect(read.version == first)
            #expect(read.expiresAtMillis == nil)

            let second = try await client.set(key, value: Array("bob".utf8))
            #expect(second > first)
            #expect(try await client.get(key)?.bytes == Array("bob".utf8))

            #expect(try await client.delete(key) == true)
            #expect(try await client.get(key) == nil)
            #expect(try await client.delete(key) == false)
        }
    }

    @Test func replicaReadBatchesAnswerInOrderWithinTheirBudget() async throws {
        try await withNode { node in
            // Batches of megabytes, answered by a debug build while other tests run.
            let client = RingtailClient(address: try #require(HostAndPort(node.address)), requestTimeout: .seconds(60))
            defer { Task { await client.close() } }
            func batch(_ keys: [String]) async throws -> [ReplicaReadResponse] {
                let reads = keys.map { ReplicaReadRequest(key: ByteBuffer(string: $0)) }
                return try await client.request(.replicaReadBatchRequest(ReplicaReadBatchRequest(reads: reads)), expecting: ReplicaReadBatchResponse.self).answers
            }
            let value = [UInt8](repeating: 7, count: 1_000_000)
            for index in 0..<6 { _ = try await client.set(Array("big-\(index)".utf8), value: value) }
            _ = try await client.set(Array("small".utf8), value: [1])

            let small = try await batch(["small", "absent", "big-0"])
            #expect(small.map { String(buffer: $0.entry.key) } == ["small", "absent", "big-0"])
            #expect(small.map(\.entry.state) == [.live, .missing, .live])
            #expect(small.first?.entry.value == ByteBuffer(bytes: [1]))
            // Six 1 MB values do not fit in the 4 MiB one batch answers with: the first four come.
            let big = try await batch((0..<6).map { "big-\($0)" })
            #expect(big.map { String(buffer: $0.entry.key) } == (0..<4).map { "big-\($0)" })
            #expect(big.allSatisfy { $0.entry.value.readableBytes == 1_000_000 })
            // What an answer costs besides its bytes counts: 40,000 missing keys of ~93 bytes are
            // 3.7 MB of keys, under the budget, but not with 32 bytes more each.
            let keys = (0..<40_000).map { String(repeating: "x", count: 90) + "\($0)" }
            let many = try await batch(keys)
            #expect(many.count > 20_000 && many.count < keys.count)
            #expect(many.map { String(buffer: $0.entry.key) } == Array(keys.prefix(many.count)))
            await #expect(throws: RingtailClientError.self) { _ = try await batch([]) }
            await #expect(throws: RingtailClientError.self) { _ = try await batch(["ok", ""]) }
        }
    }

    @Test func replicaWriteBatchesApplyEachWriteOnItsOwn() async throws {
        try await withNode(arguments: ["--max-value-size", "4KiB"]) { node in
            let client = RingtailClient(address: try #require(HostAndPort(node.address)))
            defer { Task { await client.close() } }
            func write(_ key: String, _ value: Int, at timestamp: UInt64) -> ReplicaWriteRequest {
                ReplicaWriteRequest(entry: StoredEntry(
                    key: ByteBuffer(string: key), state: .live, value: ByteBuffer(bytes: [UInt8](repeating: 1, count: value)),
                    version: EntryVersion(timestamp: timestamp, node: 7)))
            }
            let writes = [write("one", 10, at: 5), write("big", 5000, at: 5), write("two", 20, at: 5), write("one", 30, at: 4)]
            let response = try await client.request(
                .replicaWriteBatchRequest(ReplicaWriteBatchRequest(writes: writes)), expecting: ReplicaWriteBatchResponse.self)
            #expect(response.outcomes.map { $0.response?.applied } == [true, nil, true, false])
            #expect(response.outcomes[1].error?.code == .valueTooLarge)
            #expect(try await client.get(Array("one".utf8))?.bytes.count == 10)
            #expect(try await client.get(Array("two".utf8))?.bytes.count == 20)
            #expect(try await client.get(Array("big".utf8)) == nil)
            await #expect(throws: RingtailClientError.self) {
                _ = try await client.request(.replicaWriteBatchRequest(ReplicaWriteBatchRequest()), expecting: ReplicaWriteBatchResponse.self)
            }
        }
    }

    @Test func binaryValuesAndSizeLimits() async throws {
        try await withNode(arguments: ["--max-value-size", "4KiB"]) { node in
            let client = RingtailClient(address: try #require(HostAndPort(node.address)))
            defer { Task { await client.close() } }
            let binary: [UInt8] = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try await client.set([0, 1, 2, 255], value: binary)
            #expect(try await client.get([0, 1, 2, 255])?.bytes == binary)

            await #expect(throws: RingtailClientError.self) {
                try await client.set(Array("big".utf8), value: [UInt8](repeating: 7, count: 4097))
            }
            do {
                try await client.set(Array("big".utf8), value: [UInt8](repeating: 7, count: 4097))
            } catch RingtailClientError.server(let code, let message) {
                #expect(code == .valueTooLarge)
                #expect(message.contains("4097"))
            }
            do {
                try await client.set([UInt8](repeating: 1, count: Limits.maxKeyBytes + 1), value: [1])
                Issue.record("an oversize key was accepted")
            } catch RingtailClientError.server(let code, _) {
                #expect(code == .keyTooLarge)
            }
            do {
                _ = try await client.get([UInt8]())
                Issue.record("an empty key was accepted")
            } catch RingtailClientError.server(let code, _) {
                #expect(code == .invalidArgument)
            }
            // The node still serves after refusing requests.
            #expect(try await client.get([0, 1, 2, 255])?.bytes == binary)
        }
    }

    @Test func ttlExpiresKeys() async throws {
        try await withNode(arguments: ["--sweep-interval", "50ms"]) { node in
            let client = RingtailClient(address: try #require(HostAndPort(node.address)))
            defer { Task { await client.close() } }
            // Presence is checked on a key whose TTL no machine is slow enough to outlive,
            // expiry on one that is certainly over after the sleep.
            try await client.set(Array("short".utf8), value: Array("lived".utf8), ttlMillis: 500)
            try await client.set(Array("medium".utf8), value: Array("lived".utf8), ttlMillis: 60_000)
            try await client.set(Array("long".utf8), value: Array("lived".utf8))
            let read = try #require(try await client.get(Array("medium".utf8)))
            let expiresAt = try #require(read.expiresAtMillis)
            #expect(expiresAt > read.version.timestamp.physicalMillis + 55_000)
            #expect(try await client.get(Array("long".utf8))?.expiresAtMillis == nil)
            try await Task.sleep(for: .milliseconds(1500))
            #expect(try await client.get(Array("short".utf8)) == nil)
            #expect(try await client.get(Array("medium".utf8)) != nil)
            #expect(try await client.get(Array("long".utf8)) != nil)
            let stats = try await client.stats()
            #expect(stats.expirations >= 1)
            #expect(stats.keys == 2)
        }
    }

    @Test func concurrentRequestsArePipelinedOverOneConnection() async throws {
        try await withNode { node in
            let client = RingtailClient(address: try #require(HostAndPort(node.address)))
            defer { Task { await client.close() } }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<200 {
                    group.addTask {
                        let key = Array("k\(i)".utf8)
                        try await client.set(key, value: Array("v\(i)".utf8))
                        let value = try await client.get(key)
                        #expect(value?.bytes == Array("v\(i)".utf8))
                    }
                }
                try await group.waitForAll()
            }
            let stats = try await client.stats()
            #expect(stats.keys == 200)
            #expect(stats.sets == 200)
            #expect(stats.hits >= 200)
            #expect(stats.connections == 1)
        }
    }

    @Test func evictsUnderTheMemoryBound() async throws {
        try await withNode(arguments: ["--max-memory", "256KiB", "--shards", "1"]) { node in
            let client = RingtailClient(address: try #require(HostAndPort(node.address)))
            defer { Task { await client.close() } }
            let value = [UInt8](repeating: 42, count: 1000)
            for i in 0..<1000 {
                try await client.set(Array("key-\(i)".utf8), value: value)
            }
            let stats = try await client.stats()
            #expect(stats.memoryUsedBytes <= stats.memoryLimitBytes)
            #expect(stats.evictions > 0)
            #expect(stats.keys < 1000)
            // The most recent write survives; the first was evicted.
            #expect(try await client.get(Array("key-999".utf8)) != nil)
            #expect(try await client.get(Array("key-0".utf8)) == nil)
        }
    }

    @Test func unreachableNodeIsAConnectionError() async throws {
        let client = RingtailClient(address: HostAndPort(host: "127.0.0.1", port: 1), connectTimeout: .seconds(1))
        do {
            _ = try await client.ping()
            Issue.record("ping to a closed port succeeded")
        } catch let error as RingtailClientError {
            #expect(error.isConnectionProblem)
        }
    }

    @Test func sigtermShutsDownGracefully() async throws {
        let node = try NodeProcess.start()
        let client = RingtailClient(address: try #require(HostAndPort(node.address)))
        try await client.set(Array("k".utf8), value: Array("v".utf8))
        let status = node.stop(signal: SIGTERM, seconds: 10)
        await client.close()
        #expect(status == 0, "cache-node should exit 0 after SIGTERM; log:\n\(node.logText)")
        #expect(node.logText.contains("stopped"))
    }
}
