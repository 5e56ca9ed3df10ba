import NIOCore
import RingtailWire
import Testing
import RingtailModel

/// Random and mutated bodies, from a fixed seed so a failure repeats exactly. The decoder may accept or reject
/// each one; the test is that it never traps, and that whatever it accepts survives a re-encode.
@Suite struct FuzzTests {
    static let iterations = 20_000
    static let seed: UInt64 = 0x52_49_4E_47_54_41_49_4C  // "RINGTAIL"

    @Test func randomAndMutatedBodiesNeverTrap() throws {
        var random = SplitMix64(seed: Self.seed)
        let types = MessageType.allCases
        let seeds = WireSamples.small.map(\.body)
        var accepted = 0
        for iteration in 0..<Self.iterations {
            let type = types[random.next(below: types.count)]
            let input = iteration.isMultiple(of: 2)
                ? Self.randomBytes(using: &random)
                : Self.mutate(seeds[random.next(below: seeds.count)], using: &random)
            var body = ByteBuffer(bytes: input)
            guard let decoded = try? AnyMessage(type: type, decoding: &body) else { continue }
            accepted += 1
            var reencoded = ByteBuffer()
            decoded.encode(into: &reencoded)
            let again = try AnyMessage(type: type, decoding: &reencoded)
            #expect(again == decoded, "iteration \(iteration): \(input)")
        }
        // A sanity check that the fuzzer reaches past the first byte: some inputs must decode.
        #expect(accepted > Self.iterations / 20)
    }

    private static func randomBytes(using random: inout SplitMix64) -> [UInt8] {
        (0..<random.next(below: 48)).map { _ in random.nextByte() }
    }

    /// One to four byte-level edits of a valid body: flips, inserts, deletes, overwrites and cuts.
    private static func mutate(_ original: [UInt8], using random: inout SplitMix64) -> [UInt8] {
        var bytes = original
        for _ in 0...random.next(below: 4) {
            let position = random.next(below: bytes.count + 1)
            switch random.next(below: 5) {
            case 0 where position < bytes.count:
                bytes[position] ^= 1 << UInt8(random.next(below: 8))
            case 1:
                bytes.insert(random.nextByte(), at: position)
            case 2 where position < bytes.count:
                bytes.remove(at: position)
            case 3 where position < bytes.count:
                bytes[position] = [0x00, 0x7F, 0x80, 0xFF][random.next(below: 4)]
            case 4:
                bytes.removeSubrange(position...)
            default:
                bytes.append(random.nextByte())
            }
        }
        return bytes
    }
}
