import NIOCore
import Testing
@testable import RingtailRESP

@Suite struct RESPParserTests {
    static let pipeline = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n"
    static let expected = [RESPCommand("GET", "key"), RESPCommand("SET", "k", ""), RESPCommand("PING"), RESPCommand("QUIT")]

    @Test func parsesPipelinedCommandsAllAtOnce() throws {
        let result = try parseCommands([bytes(Self.pipeline)])
        #expect(result.commands == Self.expected)
        #expect(result.leftover == 0)
    }

    @Test func parsesByteByByte() throws {
        let result = try parseCommands(bytes(Self.pipeline).byteByByte)
        #expect(result.commands == Self.expected)
    }

    @Test(arguments: 0..<50 as Range<UInt64>) func parsesRandomSplits(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let result = try parseCommands(bytes(Self.pipeline).randomSplits(using: &random))
        #expect(result.commands == Self.expected, "seed \(seed)")
    }

    @Test func binaryPayloadsAreKeptIntact() throws {
        let payload: [UInt8] = [0, 13, 10, 255, 42, 13, 10]
        var input = ByteBuffer(string: "*2\r\n$4\r\nECHO\r\n$\(payload.count)\r\n")
        input.writeBytes(payload)
        input.writeString("\r\n")
        let result = try parseCommands([input])
        #expect(result.commands == [RESPCommand([bytes("ECHO"), ByteBuffer(bytes: payload)])])
    }

    @Test func emptyArraysAndBlankLinesAreSkipped() throws {
        let result = try parseCommands([bytes("*0\r\n*-1\r\n\r\n   \r\nPING\n")])
        #expect(result.commands == [RESPCommand("PING")])
    }

    @Test func partialInputWaits() throws {
        let result = try parseCommands([bytes("*2\r\n$3\r\nGET\r\n$5\r\nab")])
        #expect(result.commands.isEmpty)
    }

    @Test(arguments: [
        ("SET k v", ["SET", "k", "v"]),
        ("  set   k  \t v  \r", ["set", "k", "v"]),
        (#"SET "a b" 'c d'"#, ["SET", "a b", "c d"]),
        (#"ECHO "x\ny\x41\"""#, ["ECHO", "x\nyA\""]),
        (#"ECHO 'it\'s'"#, ["ECHO", "it's"]),
        (#"ECHO a"b c" d"#, ["ECHO", "ab c", "d"]),
        (#"ECHO """#, ["ECHO", ""]),
    ])
    func splitsInlineCommands(line: String, words: [String]) throws {
        let result = try parseCommands([bytes(line + "\n")])
        #expect(result.commands == [RESPCommand(words.map { ByteBuffer(string: $0) })])
    }

    @Test(arguments: [#"ECHO "abc"#, #"ECHO 'abc"#, #"ECHO "abc"def"#, #"ECHO 'a'b"#])
    func rejectsUnbalancedQuotes(line: String) {
        #expect(throws: RESPProtocolError(.unbalancedQuotes)) { try parseCommands([bytes(line + "\r\n")]) }
    }

    @Test(arguments: [
        ("*x\r\n", RESPProtocolError.Kind.invalidMultibulkLength),
        ("*2000000\r\n", .invalidMultibulkLength),
        ("*99999999999999999999999\r\n", .invalidMultibulkLength),
        ("*1\r\n+PING\r\n", .expectedBulk(found: UInt8(ascii: "+"))),
        ("*1\r\n*1\r\n$4\r\nPING\r\n", .expectedBulk(found: UInt8(ascii: "*"))),
        ("*1\r\n$-1\r\n", .invalidBulkLength),
        ("*1\r\n$abc\r\n", .invalidBulkLength),
        ("*1\r\n$4\r\nPINGxx", .missingCRLF),
        ("*1\r\n$\r\n", .invalidBulkLength),
    ])
    func rejectsMalformedRequests(input: String, kind: RESPProtocolError.Kind) {
        #expect(throws: RESPProtocolError(kind)) { try parseCommands([bytes(input)]) }
    }

    @Test func enforcesLimits() {
        let limits = RESPParser.Limits(maxBulkBytes: 8, maxArguments: 3, maxInlineBytes: 16, maxCommandBytes: 12)
        #expect(throws: RESPProtocolError(.invalidBulkLength)) { try parseCommands([bytes("*1\r\n$9\r\n")], limits: limits) }
        #expect(throws: RESPProtocolError(.invalidMultibulkLength)) { try parseCommands([bytes("*4\r\n")], limits: limits) }
        #expect(throws: RESPProtocolError(.commandTooLarge(limit: 12))) {
            try parseCommands([bytes("*2\r\n$8\r\n12345678\r\n$8\r\n")], limits: limits)
        }
        #expect(throws: RESPProtocolError(.tooBigInlineRequest)) { try parseCommands([bytes(String(repeating: "a", count: 40))], limits: limits) }
        #expect(throws: RESPProtocolError(.tooBigCountLine)) { try parseCommands([bytes("*" + String(repeating: "1", count: 40))], limits: limits) }
        #expect(throws: RESPProtocolError(.tooBigCountLine)) { try parseCommands([bytes("*1\r\n$" + String(repeating: "1", count: 40))], limits: limits) }
        // Within the limits all is well.
        #expect((try? parseCommands([bytes("*3\r\n$1\r\na\r\n$1\r\nb\r\n$8\r\n12345678\r\n")], limits: limits))?.commands.count == 1)
    }

    /// Complete requests take the one-pass path: the same limits and errors must hold there.
    @Test func completeRequestsMeetTheSameLimits() throws {
        let limits = RESPParser.Limits(maxBulkBytes: 8, maxArguments: 3, maxInlineBytes: 16, maxCommandBytes: 12)
        #expect(throws: RESPProtocolError(.invalidBulkLength)) { try parseCommands([bytes("*1\r\n$9\r\n123456789\r\n")], limits: limits) }
        #expect(throws: RESPProtocolError(.invalidMultibulkLength)) {
            try parseCommands([bytes("*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n")], limits: limits)
        }
        #expect(throws: RESPProtocolError(.commandTooLarge(limit: 12))) {
            try parseCommands([bytes("*2\r\n$8\r\n12345678\r\n$8\r\n12345678\r\n")], limits: limits)
        }
        #expect(throws: RESPProtocolError(.tooBigCountLine)) {
            try parseCommands([bytes("*" + String(repeating: "0", count: 20) + "1\r\n$1\r\na\r\n")], limits: limits)
        }
        #expect(throws: RESPProtocolError(.missingCRLF)) { try parseCommands([bytes("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n")]) }
        // Leading zeros are digits to both paths; a complete request followed by part of the next.
        let result = try parseCommands([bytes("*2\r\n$03\r\nGET\r\n$1\r\nk\r\n*2\r\n$3\r\nGET\r\n$1")])
        #expect(result.commands == [RESPCommand("GET", "k")])
        #expect(result.leftover == 2)  // the step parser holds what it has of the second
    }

    @Test func redisErrorTexts() {
        #expect(RESPProtocolError(.invalidMultibulkLength).redisError == "ERR Protocol error: invalid multibulk length")
        #expect(RESPProtocolError(.expectedBulk(found: UInt8(ascii: "x"))).redisError == "ERR Protocol error: expected '$', got 'x'")
        #expect(RESPProtocolError(.unbalancedQuotes).redisError == "ERR Protocol error: unbalanced quotes in request")
    }

    /// Random bytes, and valid requests with random bytes flipped, must end in commands, a
    /// wait for more input, or a protocol error: never a trap or a runaway allocation.
    @Test(arguments: 0..<20 as Range<UInt64>) func survivesHostileInput(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let limits = RESPParser.Limits(maxBulkBytes: 1024, maxArguments: 64, maxInlineBytes: 256, maxCommandBytes: 4096)
        for round in 0..<200 {
            var input: [UInt8]
            if round.isMultiple(of: 2) {
                input = (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                input = Array(Self.pipeline.utf8)
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    input[Int.random(in: 0..<input.count, using: &random)] = [UInt8(ascii: "*"), UInt8(ascii: "$"), UInt8(ascii: "-"), 0x0D, 0x0A, UInt8(ascii: "9"), UInt8.random(in: 0...255, using: &random)].randomElement(using: &random)!
                }
            }
            _ = try? parseCommands(ByteBuffer(bytes: input).randomSplits(using: &random), limits: limits)
        }
    }
}
