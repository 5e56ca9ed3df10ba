import RingtailModel
import RingtailRing
import Testing

@Suite struct PartitionerTests {
    @Test(arguments: [
        // (partition count, key hash, expected partition)
        (1024, UInt64(0), 0),
        (1024, UInt64.max, 1023),
        (1024, UInt64(1) << 63, 512),
        (1024, (UInt64(1) << 54) - 1, 0),
        (1024, UInt64(1) << 54, 1),
        (4096, UInt64(0xABC0_0000_0000_0000), 0xABC),
        (4096, UInt64(0xABCF_FFFF_FFFF_FFFF), 0xABC),
        (1, UInt64.max, 0),
        (2, UInt64(1) << 63, 1),
    ])
    func partitionIsTheTopBitsOfTheHash(count: Int, hash: UInt64, expected: Int) {
        #expect(Partitioner(partitionCount: count).partition(forKeyHash: hash) == expected)
    }

    @Test func lowBitsDoNotAffectThePartition() {
        // The storage engine shards on low bits; partitions must not depend on them.
        let partitioner = Partitioner(partitionCount: 4096)
        var generator = SplitMix64(seed: 7)
        for _ in 0..<1000 {
            let hash = generator.next()
            let lowMask = UInt64.max >> 12
            #expect(partitioner.partition(forKeyHash: hash) == partitioner.partition(forKeyHash: hash & ~lowMask))
            #expect(partitioner.partition(forKeyHash: hash) == partitioner.partition(forKeyHash: hash | lowMask))
        }
    }

    @Test func keyPartitionUsesStableHash() {
        let partitioner = Partitioner(partitionCount: 1024)
        for key in ["", "a", "user:42", String(repeating: "x", count: 100)] {
            let bytes = Array(key.utf8)
            #expect(partitioner.partition(forKey: bytes) == partitioner.partition(forKeyHash: StableHash.xxh64(bytes)))
        }
        #expect(partitioner.partition(forKey: Array("abc".utf8)) == Int(0x44BC_2CF5_AD77_0999 as UInt64 >> 54))
    }

    @Test(arguments: [1, 2, 1024, 4096])
    func rangesTileTheHashSpace(count: Int) {
        let partitioner = Partitioner(partitionCount: count)
        #expect(partitioner.partitionBits == count.trailingZeroBitCount)
        #expect(partitioner.keyHashRange(ofPartition: 0).lowerBound == 0)
        #expect(partitioner.keyHashRange(ofPartition: count - 1).upperBound == UInt64.max)
        for partition in 0..<count {
            let range = partitioner.keyHashRange(ofPartition: partition)
            #expect(range.lowerBound == partitioner.ringPosition(ofPartition: partition))
            #expect(partitioner.partition(forKeyHash: range.lowerBound) == partition)
            #expect(partitioner.partition(forKeyHash: range.upperBound) == partition)
            if partition + 1 < count {
                #expect(range.upperBound + 1 == partitioner.ringPosition(ofPartition: partition + 1))
            }
        }
    }

    @Test(arguments: [(0, false), (-4, false), (3, false), (1000, false), (1 << 21, false),
                      (1, true), (64, true), (1024, true), (1 << 20, true)])
    func validPartitionCounts(count: Int, valid: Bool) {
        #expect(Partitioner.isValidPartitionCount(count) == valid)
    }
}
