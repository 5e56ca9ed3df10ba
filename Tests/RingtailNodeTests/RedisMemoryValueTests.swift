import Testing

@testable import RingtailNode

@Suite struct RedisMemoryValueTests {
    @Test func unitsAreRedissWithCaseIgnored() {
        #expect(RedisMemoryValue.parse("123") == 123)
        #expect(RedisMemoryValue.parse("123b") == 123)
        #expect(RedisMemoryValue.parse("2k") == 2_000)
        #expect(RedisMemoryValue.parse("2KB") == 2_048)
        #expect(RedisMemoryValue.parse("100mb") == 100 << 20)
        #expect(RedisMemoryValue.parse("3M") == 3_000_000)
        #expect(RedisMemoryValue.parse("1g") == 1_000_000_000)
        #expect(RedisMemoryValue.parse("4Gb") == 4 << 30)
    }

    @Test func anythingElseIsRefused() {
        for text in ["", "mb", "-1", "+1", "1.5mb", "1 mb", "1tb", "12xb", "0x10", "99999999999999999999"] {
            #expect(RedisMemoryValue.parse(text) == nil, "\(text)")
        }
        #expect(RedisMemoryValue.parse("9000000000gb") == nil)  // overflows Int
    }
}
