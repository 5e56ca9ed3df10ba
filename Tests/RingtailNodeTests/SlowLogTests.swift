import NIOCore
import Testing

@testable import RingtailNode

/// SLOWLOG's bookkeeping: newest first, bounded, ids that keep counting, commands cut short
/// as Redis cuts them.
@Suite struct SlowLogTests {
    func record(_ log: inout SlowLog, _ words: String...) {
        log.record(unixSeconds: 1, micros: 2, arguments: words.map { Array($0.utf8) }, clientAddress: "127.0.0.1:1", clientName: "")
    }

    @Test func keepsTheNewestFirstUpToItsCapacity() {
        var log = SlowLog(capacity: 3)
        for word in ["a", "b", "c", "d"] { record(&log, word) }
        #expect(log.count == 3)
        #expect(log.newest(nil).map(\.id) == [3, 2, 1])
        #expect(log.newest(2).map { String(decoding: $0.arguments[0], as: UTF8.self) } == ["d", "c"])
        #expect(log.newest(10).count == 3)
        log.reset()
        #expect(log.count == 0)
        record(&log, "e")
        #expect(log.newest(nil).map(\.id) == [4])
    }

    @Test func aLogOfNoEntriesKeepsNone() {
        var log = SlowLog(capacity: 0)
        record(&log, "a")
        #expect(log.count == 0)
    }

    @Test func cutsLongCommandsAndWordsShortAsRedisDoes() {
        let words = (0..<40).map { ByteBuffer(string: "w\($0)") }
        let summary = SlowLog.summarize(words).map { String(decoding: $0, as: UTF8.self) }
        #expect(summary.count == 32)
        #expect(summary[30] == "w30")
        #expect(summary[31] == "... (9 more arguments)")
        let long = SlowLog.summarize([ByteBuffer(string: "SET"), ByteBuffer(string: String(repeating: "x", count: 200))])
        #expect(String(decoding: long[1], as: UTF8.self) == String(repeating: "x", count: 128) + "... (72 more bytes)")
        // Exactly 32 words, or 128 bytes, are kept whole.
        #expect(SlowLog.summarize(Array(words.prefix(32))).count == 32)
        #expect(SlowLog.summarize([ByteBuffer(string: String(repeating: "y", count: 128))])[0].count == 128)
    }

    /// A coordinated command keeps only its first words; the rest are counted.
    @Test func summarizesACommandFromItsFirstWords() {
        let summary = SlowLog.summarize([ByteBuffer(string: "SET"), ByteBuffer(string: "k")], totalCount: 3)
        #expect(summary.map { String(decoding: $0, as: UTF8.self) } == ["SET", "k", "... (1 more arguments)"])
        #expect(SlowLog.summarize([ByteBuffer(string: "GET"), ByteBuffer(string: "k")], totalCount: 2).count == 2)
    }
}
