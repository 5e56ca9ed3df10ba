#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The open-addressing index: linear probing, backward-shift deletion (no tombstones, so
/// probe sequences never degrade), positions from Lemire's multiply-shift so the capacity
/// need not be a power of two.
///
/// Load factor: grow ×1.5 when an insert would pass 0.8, shrink to 0.5 below 0.2. Linear
/// probing at 0.8 expects ~3 probes for a hit and ~13 for a miss; both are cheap because
/// 16 words share a cache line and the tag bits reject almost every foreign word without
/// touching its header. Running between 0.53 and 0.8 costs 5–7.5 bytes per key.
extension ShardTable {
    static let indexMinimumCapacity = 8

    static func indexBytes(capacity: Int) -> Int {
        EntryBlock.estimatedFootprint(byteCount: capacity * MemoryLayout<UInt32>.stride)
    }

    var indexBytes: Int { Self.indexBytes(capacity: indexCapacity) }

    static func allocateIndex(capacity: Int) -> UnsafeMutablePointer<UInt32> {
        guard let raw = calloc(capacity, MemoryLayout<UInt32>.stride) else {
            fatalError("RingtailStorage: out of memory")
        }
        return raw.bindMemory(to: UInt32.self, capacity: capacity)
    }

    /// Bits needed to hold `slot + 1` for every slot an index of `capacity` can refer to.
    static func slotBits(forCapacity capacity: Int) -> UInt32 {
        precondition(capacity < 1 << 32, "RingtailStorage: shard index too large")
        return UInt32(Int.bitWidth - capacity.leadingZeroBitCount)
    }

    static func slotMask(bits: UInt32) -> UInt32 {
        bits >= 32 ? .max : (1 << bits) - 1
    }

    /// Home position of `hash` in an index of `capacity` words.
    ///
    /// The stored hash bits are the top ones, which also pick a key's ring partition, and a
    /// node holds only some partitions: its keys' top bits bunch into a few ranges. Taking
    /// the position straight from them would pile keys into a few regions of the index, so
    /// the bits are first mixed (a multiply by an odd constant carries the uniform low bits
    /// upward).
    @inline(__always)
    static func home(_ hash: UInt32, capacity: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(spread(hash)) &* UInt64(capacity)) &>> 32)
    }

    @inline(__always)
    static func spread(_ hash: UInt32) -> UInt32 {
        hash &* 0x9E37_79B1
    }

    /// The tag part of an index word for `hash`: its low bits (uniform even within one
    /// partition), so a mismatch is almost always rejected without loading the header.
    @inline(__always)
    func tag(_ hash: UInt32) -> UInt32 {
        (hash &<< slotBits) & ~slotMask
    }

    @inline(__always)
    func indexWord(slot: UInt32, hash: UInt32) -> UInt32 {
        tag(hash) | (slot &+ 1)
    }

    /// The slot holding `key` and its index position, if the shard has it.
    @inline(__always)
    func find(key: UnsafeRawPointer, count: Int, hash: UInt32) -> (slot: UInt32, position: Int)? {
        let capacity = indexCapacity
        let mask = slotMask
        let wanted = tag(hash)
        var position = Self.home(hash, capacity: capacity)
        while true {
            let word = index[position]
            if word == 0 { return nil }
            if word & ~mask == wanted {
                let slot = (word & mask) &- 1
                let header = slots[slot]
                if header.pointee.hash == hash && header.pointee.keyLength == count
                    && EntryBlock.equal(header.pointee.data, key, count: count)
                {
                    return (slot, position)
                }
            }
            position &+= 1
            if position == capacity { position = 0 }
        }
    }

    /// Index position of an entry known to be present.
    func position(ofSlot slot: UInt32) -> Int {
        let hash = slots[slot].pointee.hash
        let target = slot &+ 1
        var position = Self.home(hash, capacity: indexCapacity)
        while index[position] & slotMask != target {
            position &+= 1
            if position == indexCapacity { position = 0 }
        }
        return position
    }

    /// Adds a word for `slot`, whose key is known to be absent.
    mutating func insertIntoIndex(slot: UInt32, hash: UInt32) {
        var position = Self.home(hash, capacity: indexCapacity)
        while index[position] != 0 {
            position &+= 1
            if position == indexCapacity { position = 0 }
        }
        index[position] = indexWord(slot: slot, hash: hash)
    }

    /// Clears `position` and shifts later words of the cluster back, so every word stays
    /// reachable from its home without tombstones.
    mutating func removeFromIndex(at position: Int) {
        let capacity = indexCapacity
        var hole = position
        var probe = position
        while true {
            probe &+= 1
            if probe == capacity { probe = 0 }
            let word = index[probe]
            if word == 0 { break }
            let home = Self.home(slots[(word & slotMask) &- 1].pointee.hash, capacity: capacity)
            // The word may fill the hole unless its home lies cyclically in (hole, probe].
            let fromHome = probe >= home ? probe - home : probe + capacity - home
            let fromHole = probe >= hole ? probe - hole : probe + capacity - hole
            if fromHome >= fromHole {
                index[hole] = word
                hole = probe
            }
        }
        index[hole] = 0
    }

    /// Points the word of the entry that moved from `old` to `new` at its new slot.
    mutating func retargetIndex(from old: UInt32, to new: UInt32) {
        let position = position(ofSlot: old)
        index[position] = (index[position] & ~slotMask) | (new &+ 1)
    }

    /// Index bytes an insert would add by growing, given `count` entries before it.
    var indexGrowthBytesForInsert: Int {
        guard needsIndexGrowth else { return 0 }
        return Self.indexBytes(capacity: grownIndexCapacity) - indexBytes
    }

    var needsIndexGrowth: Bool { (count + 1) * 5 > indexCapacity * 4 }

    private var grownIndexCapacity: Int { indexCapacity + indexCapacity / 2 }

    mutating func growIndexIfNeeded() {
        if needsIndexGrowth { resizeIndex(to: grownIndexCapacity) }
    }

    mutating func shrinkIndexIfNeeded() {
        if indexCapacity > Self.indexMinimumCapacity && count * 5 < indexCapacity {
            resizeIndex(to: max(Self.indexMinimumCapacity, count * 2))
        }
    }

    /// Rebuilds the index at `capacity` from the hashes in the headers: sequential reads,
    /// no key bytes touched.
    mutating func resizeIndex(to capacity: Int) {
        free(index)
        index = Self.allocateIndex(capacity: capacity)
        indexCapacity = capacity
        slotBits = Self.slotBits(forCapacity: capacity)
        slotMask = Self.slotMask(bits: slotBits)
        for slot in 0..<UInt32(count) {
            insertIntoIndex(slot: slot, hash: slots[slot].pointee.hash)
        }
    }
}
