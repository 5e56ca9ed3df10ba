#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Entry headers addressed by dense `UInt32` slot numbers, stored in pages.
///
/// A single array would have to double (wasting up to half its bytes, which the memory
/// bound counts) and copy everything as it grows. Instead page 0 doubles from a few slots up
/// to `pageSize`, after which fixed pages are added and removed one at a time, so unused
/// capacity stays below one page (45 KB) per shard and nothing is ever copied twice. The
/// price is one extra load from the small directory, which stays in L1.
struct SlotStorage: ~Copyable {
    static let pageShift = 10
    static let pageSize = 1 << pageShift
    static let firstPageMinimum = 4
    static let directoryMinimum = 4
    static let stride = MemoryLayout<EntryHeader>.stride

    private var directory: UnsafeMutablePointer<UnsafeMutablePointer<EntryHeader>>?
    private var directoryCapacity = 0
    private var pageCount = 0
    private var firstPageCapacity = 0
    /// Slots that can be used without allocating.
    private(set) var capacity = 0

    init() {}

    deinit {
        for page in 0..<pageCount { free(directory![page]) }
        free(directory)
    }

    /// The header of `slot`, which must be below `capacity`.
    @inline(__always)
    subscript(slot: UInt32) -> UnsafeMutablePointer<EntryHeader> {
        let slot = Int(slot)
        return directory.unsafelyUnwrapped[slot &>> Self.pageShift] + (slot & (Self.pageSize - 1))
    }

    /// Bytes allocated for headers and the directory, as the allocator rounds them.
    var allocatedBytes: Int {
        guard pageCount > 0 else { return 0 }
        let pages = pageCount == 1
            ? Self.footprint(firstPageCapacity * Self.stride)
            : pageCount * Self.footprint(Self.pageSize * Self.stride)
        return pages + Self.footprint(directoryCapacity * MemoryLayout<UnsafeMutableRawPointer>.size)
    }

    /// Bytes `grow()` would add; known before deciding what to evict.
    var growthBytes: Int {
        if pageCount == 0 {
            return Self.footprint(Self.firstPageMinimum * Self.stride)
                + Self.footprint(Self.directoryMinimum * MemoryLayout<UnsafeMutableRawPointer>.size)
        }
        if pageCount == 1 && firstPageCapacity < Self.pageSize {
            let grown = min(firstPageCapacity * 2, Self.pageSize)
            return Self.footprint(grown * Self.stride) - Self.footprint(firstPageCapacity * Self.stride)
        }
        var bytes = Self.footprint(Self.pageSize * Self.stride)
        if pageCount == directoryCapacity {
            let pointer = MemoryLayout<UnsafeMutableRawPointer>.size
            bytes += Self.footprint(directoryCapacity * 2 * pointer) - Self.footprint(directoryCapacity * pointer)
        }
        return bytes
    }

    /// Makes room for at least one more slot.
    mutating func grow() {
        if pageCount == 0 {
            resizeDirectory(to: Self.directoryMinimum)
            directory![0] = Self.allocate(Self.firstPageMinimum, reusing: nil)
            pageCount = 1
            firstPageCapacity = Self.firstPageMinimum
        } else if pageCount == 1 && firstPageCapacity < Self.pageSize {
            firstPageCapacity = min(firstPageCapacity * 2, Self.pageSize)
            directory![0] = Self.allocate(firstPageCapacity, reusing: directory![0])
        } else {
            if pageCount == directoryCapacity { resizeDirectory(to: directoryCapacity * 2) }
            directory![pageCount] = Self.allocate(Self.pageSize, reusing: nil)
            pageCount += 1
        }
        capacity = pageCount == 1 ? firstPageCapacity : pageCount * Self.pageSize
    }

    /// Gives back memory no longer needed for `count` slots. Hysteresis of half a page (or
    /// a factor of two for page 0) keeps a workload at a boundary from thrashing.
    mutating func shrink(toHold count: Int) {
        if count == 0 {
            releaseAll()
            return
        }
        if pageCount > 1 && count <= (pageCount - 1) * Self.pageSize - Self.pageSize / 2 {
            pageCount -= 1
            free(directory![pageCount])
        } else if pageCount == 1 && firstPageCapacity > Self.firstPageMinimum && count <= firstPageCapacity / 4 {
            firstPageCapacity /= 2
            directory![0] = Self.allocate(firstPageCapacity, reusing: directory![0])
        }
        if directoryCapacity > Self.directoryMinimum && pageCount <= directoryCapacity / 4 {
            resizeDirectory(to: directoryCapacity / 2)
        }
        capacity = pageCount == 1 ? firstPageCapacity : pageCount * Self.pageSize
    }

    private mutating func releaseAll() {
        for page in 0..<pageCount { free(directory![page]) }
        free(directory)
        directory = nil
        directoryCapacity = 0
        pageCount = 0
        firstPageCapacity = 0
        capacity = 0
    }

    private mutating func resizeDirectory(to newCapacity: Int) {
        let bytes = newCapacity * MemoryLayout<UnsafeMutablePointer<EntryHeader>>.stride
        guard let raw = realloc(directory, bytes) else { fatalError("RingtailStorage: out of memory") }
        directory = raw.bindMemory(to: UnsafeMutablePointer<EntryHeader>.self, capacity: newCapacity)
        directoryCapacity = newCapacity
    }

    private static func allocate(_ slots: Int, reusing old: UnsafeMutablePointer<EntryHeader>?)
        -> UnsafeMutablePointer<EntryHeader>
    {
        guard let raw = realloc(old, slots * stride) else { fatalError("RingtailStorage: out of memory") }
        return raw.bindMemory(to: EntryHeader.self, capacity: slots)
    }

    private static func footprint(_ bytes: Int) -> Int {
        EntryBlock.estimatedFootprint(byteCount: bytes)
    }
}
