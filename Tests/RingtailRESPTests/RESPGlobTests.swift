import Testing
@testable import RingtailRESP

/// Redis's glob-style patterns, as KEYS, SCAN MATCH and CONFIG GET use them.
@Suite struct RESPGlobTests {
    func matches(_ pattern: String, _ subject: String) -> Bool {
        RESPGlob(pattern.utf8).matches(subject.utf8)
    }

    @Test func starsAndQuestionMarks() {
        #expect(matches("*", ""))
        #expect(matches("*", "anything"))
        #expect(matches("user:*", "user:42"))
        #expect(!matches("user:*", "users:42"))
        #expect(matches("h?llo", "hello") && matches("h?llo", "hallo"))
        #expect(!matches("h?llo", "hllo"))
        #expect(matches("*a*b", "xxaxxbxb"))
        #expect(!matches("*a*b", "xxaxxbxc"))
        #expect(matches("**x", "abcx"))
        #expect(!matches("", "a") && matches("", ""))
    }

    @Test func setsRangesAndNegation() {
        #expect(matches("h[ae]llo", "hello") && matches("h[ae]llo", "hallo"))
        #expect(!matches("h[ae]llo", "hillo"))
        #expect(matches("h[^e]llo", "hallo") && !matches("h[^e]llo", "hello"))
        #expect(matches("h[a-b]llo", "hbllo") && !matches("h[a-b]llo", "hcllo"))
        #expect(matches("h[b-a]llo", "hallo"))  // a reversed range still counts, as in Redis
        #expect(matches("x[\\]]", "x]"))
    }

    @Test func escapesMakeSpecialBytesLiteral() {
        #expect(matches("a\\*b", "a*b") && !matches("a\\*b", "axb"))
        #expect(matches("a\\?", "a?") && !matches("a\\?", "ab"))
    }

    @Test func binarySubjects() {
        let subject: [UInt8] = [0x00, 0xFF, 0x41]
        #expect(RESPGlob([UInt8(ascii: "?"), 0xFF, UInt8(ascii: "*")]).matches(subject))
        #expect(!RESPGlob([0xFE, UInt8(ascii: "*")]).matches(subject))
    }

    /// A pattern that makes naive backtracking exponential is answered at once.
    @Test func manyStarsStayLinear() {
        let pattern = String(repeating: "*a", count: 30) + "b"
        let subject = String(repeating: "a", count: 5_000)
        #expect(!matches(pattern, subject))
        #expect(matches(pattern, subject + "b"))
    }
}
