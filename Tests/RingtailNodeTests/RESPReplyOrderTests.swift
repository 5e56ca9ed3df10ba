import NIOCore
import RingtailRESP
import Testing
@testable import RingtailNode

/// Replies leave in request order whatever order coordinated commands finish in, and the
/// data commands' pure semantics.
@Suite struct RESPReplyOrderTests {
    let allocator = ByteBufferAllocator()

    @Test func lateRepliesKeepRequestOrder() {
        var queue = RESPReplyQueue()
        var output = ByteBuffer()
        output.writeString("0")  // answered before anything waited
        let first = queue.reserve()
        queue.withReadyTail(allocator: allocator) { $0.writeString("2") }
        queue.withReadyTail(allocator: allocator) { $0.writeString("3") }
        let second = queue.reserve()
        // A command that is deferred writes nothing and takes no slot.
        queue.withReadyTail(allocator: allocator) { _ in }
        let third = queue.reserve()
        queue.withReadyTail(allocator: allocator) { $0.writeString("6") }
        #expect(queue.count == 5)

        queue.fill(third, into: &output, allocator: allocator) { $0.writeString("5") }
        #expect(String(buffer: output) == "0", "nothing overtakes the first waiting reply")
        queue.fill(first, into: &output, allocator: allocator) { $0.writeString("1") }
        #expect(String(buffer: output) == "0123")
        queue.fill(second, into: &output, allocator: allocator) { $0.writeString("4") }
        #expect(String(buffer: output) == "0123456")
        #expect(queue.isEmpty)
        // In order, each late reply goes straight to the output.
        let fourth = queue.reserve(), fifth = queue.reserve()
        queue.fill(fourth, into: &output, allocator: allocator) { $0.writeString("7") }
        queue.fill(fifth, into: &output, allocator: allocator) { $0.writeString("8") }
        #expect(String(buffer: output) == "012345678")
        #expect(queue.isEmpty)
    }

    static let now: UInt64 = 1_000_000

    func resolve(_ words: [String], current: StringEntry?) throws -> KeyEffect {
        let command = RESPCommand(words.map { ByteBuffer(string: $0) })
        let kind = try #require(RESPCommandTable.lookup(command.name)?.kind)
        let parsed = try KeyCommand.parse(kind, command, nowMillis: Self.now).get()
        return parsed.resolve(parsed.readsFirst ? parsed.keys.map { _ in current } : [], nowMillis: Self.now)
    }

    func entry(_ value: String, expiresAt: UInt64 = 0) -> StringEntry {
        StringEntry(value: ByteBuffer(string: value), expiresAtMillis: expiresAt)
    }

    func reply(_ effect: KeyEffect) -> RESPValue? {
        if case .value(let value) = effect.reply { return value }
        return nil
    }

    func put(_ effect: KeyEffect) -> (value: String, expiresAt: UInt64)? {
        guard effect.writes.count == 1, case .put(_, let value, let expiresAt) = effect.writes[0] else { return nil }
        return (String(buffer: value), expiresAt)
    }

    @Test func incrementKeepsTheExpiryAndRejectsNonIntegers() throws {
        let effect = try resolve(["INCRBY", "k", "5"], current: entry("10", expiresAt: 2_000_000))
        #expect(reply(effect) == .integer(15))
        #expect(put(effect)?.value == "15" && put(effect)?.expiresAt == 2_000_000)
        #expect(reply(try resolve(["INCR", "k"], current: entry("01"))) == .error(RESPErrors.notInteger))
        #expect(reply(try resolve(["INCR", "k"], current: entry(" 1"))) == .error(RESPErrors.notInteger))
        #expect(reply(try resolve(["INCR", "k"], current: entry("\(Int64.max)"))) == .error(RESPErrors.overflow))
        #expect(reply(try resolve(["DECR", "k"], current: nil)) == .integer(-1))
    }

    @Test func expireConditionsAndPastTimes() throws {
        let volatile = entry("v", expiresAt: Self.now + 50_000)
        #expect(reply(try resolve(["EXPIRE", "k", "100", "GT"], current: volatile)) == .integer(1))
        #expect(reply(try resolve(["EXPIRE", "k", "10", "GT"], current: volatile)) == .integer(0))
        #expect(reply(try resolve(["EXPIRE", "k", "10", "GT"], current: entry("v"))) == .integer(0))
        #expect(reply(try resolve(["EXPIRE", "k", "10", "LT"], current: entry("v"))) == .integer(1))
        #expect(reply(try resolve(["EXPIRE", "k", "10", "NX"], current: volatile)) == .integer(0))
        #expect(reply(try resolve(["EXPIRE", "k", "10"], current: nil)) == .integer(0))
        let past = try resolve(["EXPIRE", "k", "-1"], current: entry("v"))
        #expect(reply(past) == .integer(1))
        guard case .remove = past.writes.first else { Issue.record("a past expiry deletes the key"); return }
        #expect(put(try resolve(["PEXPIRE", "k", "1500"], current: entry("v")))?.expiresAt == Self.now + 1500)
    }

    @Test func setOptions() throws {
        let old = entry("old", expiresAt: Self.now + 9000)
        #expect(put(try resolve(["SET", "k", "new", "KEEPTTL"], current: old))?.expiresAt == Self.now + 9000)
        #expect(put(try resolve(["SET", "k", "new", "EXAT", "2000"], current: nil))?.expiresAt == 2_000_000)
        let nx = try resolve(["SET", "k", "new", "NX", "GET"], current: old)
        #expect(nx.writes.isEmpty && reply(nx) == .bulkString("old"))
        let xx = try resolve(["SET", "k", "new", "XX"], current: nil)
        #expect(xx.writes.isEmpty && reply(xx) == .null)
        #expect(reply(try resolve(["SETNX", "k", "v"], current: nil)) == .integer(1))
        #expect(throws: RESPCommandError.self) { try resolve(["SET", "k", "v", "EX", "10", "PX", "10"], current: nil) }
        #expect(throws: RESPCommandError.self) { try resolve(["SET", "k", "v", "KEEPTTL", "EX", "10"], current: nil) }
    }

    @Test func ttlRoundsLikeRedis() throws {
        #expect(reply(try resolve(["TTL", "k"], current: entry("v", expiresAt: Self.now + 1499))) == .integer(1))
        #expect(reply(try resolve(["TTL", "k"], current: entry("v", expiresAt: Self.now + 1500))) == .integer(2))
        #expect(reply(try resolve(["PTTL", "k"], current: entry("v"))) == .integer(-1))
        #expect(reply(try resolve(["PEXPIRETIME", "k"], current: entry("v", expiresAt: 123_456))) == .integer(123_456))
        #expect(reply(try resolve(["TTL", "k"], current: nil)) == .integer(-2))
    }
}
