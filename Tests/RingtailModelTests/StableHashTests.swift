import RingtailModel
import Testing

@Suite struct StableHashTests {
    /// Reference values from the xxHash reference implementation (Python `xxhash` 3.x).
    @Test(arguments: [
        (Array("".utf8), UInt64(0), UInt64(0xEF46_DB37_51D8_E999)),
        (Array("a".utf8), 0, 0xD24E_C4F1_A98C_6E5B),
        (Array("abc".utf8), 0, 0x44BC_2CF5_AD77_0999),
        (Array("Nobody inspects the spammish repetition".utf8), 0, 0xFBCE_A83C_8A37_8BF1),
        (Array(0..<100), 0, 0x6AC1_E580_3216_6597),
        (Array("".utf8), 42, 0x98B1_582B_0977_E704),
        (Array("abc".utf8), 42, 0x13C1_D910_7027_70E6),
        (Array(0..<100), 42, 0x819D_2B72_6001_D507),
    ] as [([UInt8], UInt64, UInt64)])
    func matchesReferenceVectors(input: [UInt8], seed: UInt64, expected: UInt64) {
        #expect(StableHash.xxh64(input, seed: seed) == expected)
    }

    @Test func nodeTagIsStableAndDistinct() {
        #expect(NodeID("a").tag == NodeID("a").tag)
        #expect(NodeID("a").tag != NodeID("b").tag)
        #expect(NodeID("a").tag.rawValue == UInt32(truncatingIfNeeded: 0xD24E_C4F1_A98C_6E5B as UInt64))
    }
}
