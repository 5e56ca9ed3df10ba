import NIOCore
import RingtailWire
import Testing

/// A body cut short (a frame length lying, a bug upstream) must fail cleanly, never trap or read past the end.
@Suite struct TruncationTests {
    @Test(arguments: WireSamples.all)
    func everyPrefixDecodesOrThrowsAndCutsInsideAFieldThrow(_ sample: WireSample) throws {
        let body = sample.body
        let boundaries = try WireImage.fieldBoundaries(of: body)
        let whole = ByteBuffer(bytes: body)
        // Collected rather than expected one by one: the 64 KiB samples have 65,536 prefixes each.
        var wronglyAccepted: [Int] = []
        var wronglyRejected: [(length: Int, error: WireDecodingError)] = []
        for length in 0..<body.count {
            // A slice, not a copy, so large samples stay quick.
            var prefix = try #require(whole.getSlice(at: whole.readerIndex, length: length))
            do {
                _ = try AnyMessage(type: sample.message.messageType, decoding: &prefix)
                if !boundaries.contains(length) { wronglyAccepted.append(length) }
            } catch {
                // Ending between fields is a valid body that merely lacks the later fields.
                if boundaries.contains(length) { wronglyRejected.append((length, error)) }
            }
        }
        #expect(wronglyAccepted.isEmpty, "prefixes cut inside a field decoded: \(wronglyAccepted.prefix(10))")
        #expect(wronglyRejected.isEmpty, "prefixes ending between fields failed: \(wronglyRejected.prefix(10))")
    }

    @Test func cutsInsideFieldsReportTruncation() throws {
        let body = GetResponse(found: true, value: ByteBuffer(string: "v"), version: EntryVersion(timestamp: 1)).encoded().bytes
        for length in [1, 3, 4, 6, 9] {
            var prefix = ByteBuffer(bytes: body[..<length])
            #expect(throws: WireDecodingError.truncated) { try GetResponse(decoding: &prefix) }
        }
    }
}
