import NIOCore
import Testing
@testable import RingtailRESP

@Suite struct RESPValueTests {
    /// Values that survive a round trip unchanged in RESP3.
    static let resp3Values: [RESPValue] = [
        .simpleString("OK"),
        .error("ERR wrong number of arguments for 'get' command"),
        .integer(0), .integer(-1), .integer(9), .integer(10), .integer(Int64.max), .integer(Int64.min),
        .bulkString("hello"), .bulkString(ByteBuffer(bytes: [0, 13, 10, 255])), .bulkString(""),
        .null,
        .array([]), .array([.integer(1), .bulkString("a"), .null, .array([.simpleString("nested")])]),
        .map([RESPValue.Pair(.bulkString("server"), .bulkString("ringtail")), RESPValue.Pair(.bulkString("proto"), .integer(3))]),
        .map([]),
        .set([.bulkString("x"), .integer(2)]),
        .push([.bulkString("message"), .bulkString("channel")]),
        .double(1.5), .double(-0.25), .double(.infinity), .double(-.infinity), .double(1e300),
        .boolean(true), .boolean(false),
        .bigNumber("3492890328409238509324850943850943825024385"), .bigNumber("-12"),
        .blobError(ByteBuffer(string: "SYNTAX invalid syntax")),
        .verbatimString(format: "txt", text: ByteBuffer(string: "# Server\r\nredis_version:7.2.0\r\n")),
    ]

    @Test func roundTripsEveryRESP3Kind() throws {
        var buffer = ByteBuffer()
        for value in Self.resp3Values { buffer.writeRESPValue(value, .resp3) }
        #expect(try parseValues([buffer]) == Self.resp3Values)
        #expect(try parseValues(buffer.byteByByte) == Self.resp3Values)
    }

    @Test(arguments: 0..<30 as Range<UInt64>) func roundTripsInRandomSplits(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var buffer = ByteBuffer()
        for value in Self.resp3Values { buffer.writeRESPValue(value, .resp3) }
        #expect(try parseValues(buffer.randomSplits(using: &random)) == Self.resp3Values, "seed \(seed)")
    }

    @Test(arguments: [
        (RESPValue.null, "$-1\r\n"),
        (.nullArray, "*-1\r\n"),
        (.map([RESPValue.Pair(.bulkString("a"), .integer(1))]), "*2\r\n$1\r\na\r\n:1\r\n"),
        (.set([.integer(1)]), "*1\r\n:1\r\n"),
        (.double(1.5), "$3\r\n1.5\r\n"),
        (.boolean(true), ":1\r\n"),
        (.bigNumber("123"), "$3\r\n123\r\n"),
        (.verbatimString(format: "txt", text: ByteBuffer(string: "hi")), "$2\r\nhi\r\n"),
        (.push([.integer(1)]), "*1\r\n:1\r\n"),
        (.blobError(ByteBuffer(string: "ERR x")), "-ERR x\r\n"),
    ])
    func downgradesForRESP2(value: RESPValue, expected: String) {
        var buffer = ByteBuffer()
        buffer.writeRESPValue(value, .resp2)
        #expect(String(buffer: buffer) == expected)
    }

    @Test(arguments: [
        (RESPValue.null, "_\r\n"),
        (.nullArray, "_\r\n"),
        (.map([RESPValue.Pair(.bulkString("a"), .integer(1))]), "%1\r\n$1\r\na\r\n:1\r\n"),
        (.double(.infinity), ",inf\r\n"),
        (.boolean(false), "#f\r\n"),
        (.verbatimString(format: "txt", text: ByteBuffer(string: "hi")), "=6\r\ntxt:hi\r\n"),
    ])
    func writesRESP3Forms(value: RESPValue, expected: String) {
        var buffer = ByteBuffer()
        buffer.writeRESPValue(value, .resp3)
        #expect(String(buffer: buffer) == expected)
    }

    @Test func writesExactPrimitives() {
        var buffer = ByteBuffer()
        buffer.writeRESPOK()
        buffer.writeRESPError("ERR two\r\nlines")
        buffer.writeRESPInteger(-1234567890123)
        buffer.writeRESPBulkString(ByteBuffer(string: "v"))
        buffer.writeRESPArrayHeader(2)
        #expect(String(buffer: buffer) == "+OK\r\n-ERR two  lines\r\n:-1234567890123\r\n$1\r\nv\r\n*2\r\n")
    }

    /// The raw-bytes bulk writer formats header, payload and CRLFs itself; lengths straddle
    /// digit counts, and the buffer starts non-empty and full so that it must grow.
    @Test(arguments: [0, 1, 9, 10, 99, 100, 1_000, 12_345])
    func writesBulkStringsFromRawBytes(length: Int) {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var buffer = ByteBuffer(string: "x")
        let shared = buffer
        payload.withUnsafeBytes { buffer.writeRESPBulkString($0) }
        buffer.writeRESPNull(.resp2)
        buffer.writeRESPOK()
        var expected = ByteBuffer(string: "x$\(length)\r\n")
        expected.writeBytes(payload)
        expected.writeString("\r\n$-1\r\n+OK\r\n")
        #expect(buffer == expected)
        #expect(String(buffer: shared) == "x")
    }

    @Test func commandsRoundTripThroughTheRequestParser() throws {
        let commands = [RESPCommand("SET", "key", "value", "EX", "10"), RESPCommand([ByteBuffer(string: "ECHO"), ByteBuffer(bytes: [0, 1, 2, 13, 10])])]
        var buffer = ByteBuffer()
        for command in commands { buffer.writeRESPCommand(command) }
        #expect(try parseCommands([buffer]).commands == commands)
    }

    @Test func enforcesDepthAndLengthLimits() {
        let limits = RESPValueParser.Limits(maxBulkBytes: 4, maxAggregateLength: 3, maxDepth: 2, maxLineBytes: 32)
        #expect(throws: RESPProtocolError(.nestingTooDeep(limit: 2))) { try parseValues([bytes("*1\r\n*1\r\n*1\r\n:1\r\n")], limits: limits) }
        #expect(throws: RESPProtocolError(.invalidAggregateLength)) { try parseValues([bytes("*4\r\n")], limits: limits) }
        #expect(throws: RESPProtocolError(.invalidAggregateLength)) { try parseValues([bytes("%-3\r\n")], limits: limits) }
        #expect(throws: RESPProtocolError(.invalidBulkLength)) { try parseValues([bytes("$5\r\n")], limits: limits) }
        #expect(throws: RESPProtocolError(.invalidTypeByte(UInt8(ascii: "?")))) { try parseValues([bytes("?\r\n")], limits: limits) }
        #expect(throws: RESPProtocolError(.tooBigCountLine)) { try parseValues([bytes("+" + String(repeating: "a", count: 64))], limits: limits) }
        #expect(throws: RESPProtocolError(.invalidNumber)) { try parseValues([bytes(":12a\r\n")], limits: limits) }
        #expect(throws: RESPProtocolError(.missingCRLF)) { try parseValues([bytes("$2\r\nabcd")], limits: limits) }
    }

    @Test(arguments: 0..<20 as Range<UInt64>) func survivesHostileInput(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        var valid = ByteBuffer()
        for value in Self.resp3Values { valid.writeRESPValue(value, .resp3) }
        let validBytes = Array(valid.readableBytesView)
        let limits = RESPValueParser.Limits(maxBulkBytes: 1024, maxAggregateLength: 64, maxDepth: 8, maxLineBytes: 256)
        for round in 0..<200 {
            var input: [UInt8]
            if round.isMultiple(of: 2) {
                let alphabet = Array("*$%~>:_#,(!=+-\r\n0123456789abc".utf8)
                input = (0..<Int.random(in: 0...200, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            } else {
                input = validBytes
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    input[Int.random(in: 0..<input.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            }
            _ = try? parseValues(ByteBuffer(bytes: input).randomSplits(using: &random), limits: limits)
        }
    }
}
