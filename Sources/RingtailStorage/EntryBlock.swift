#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The key and value bytes of one entry live in a single malloc'd block: one allocation
/// per entry, no Swift object header, no reference counting.
enum EntryBlock {
    /// What the allocator keeps in front of every chunk (glibc: the size word). Counted so
    /// the memory bound reflects what the process really spends.
    static let allocatorOverhead = MemoryLayout<Int>.size

    /// A block holding `key` followed by `value`.
    static func make(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer {
        let count = key.count + value.count
        guard let block = malloc(count) else { fatalError("RingtailStorage: out of memory (\(count) bytes)") }
        block.copyMemory(from: key.baseAddress!, byteCount: key.count)
        if value.count > 0 {
            (block + key.count).copyMemory(from: value.baseAddress!, byteCount: value.count)
        }
        return block
    }

    /// Bytes the block really occupies: the usable size the allocator rounded up to, plus
    /// its per-chunk header.
    static func footprint(_ block: UnsafeMutableRawPointer, byteCount: Int) -> Int {
        let usable = usableSize(block)
        return usable > 0 ? usable + allocatorOverhead : estimatedFootprint(byteCount: byteCount)
    }

    /// Footprint of a block of `count` bytes before allocating it, as glibc rounds:
    /// a 16-byte aligned chunk including the size word, at least 32 bytes.
    static func estimatedFootprint(byteCount count: Int) -> Int {
        max(32, (count + allocatorOverhead + 15) & ~15)
    }

    static func release(_ block: UnsafeMutableRawPointer) {
        free(block)
    }

    @inline(__always)
    private static func usableSize(_ block: UnsafeMutableRawPointer) -> Int {
        #if canImport(Darwin)
        return malloc_size(block)
        #else
        guard let measure = mallocUsableSize else { return 0 }
        return measure(block)
        #endif
    }

    /// Whether the first `count` bytes at `a` and `b` are equal.
    @inline(__always)
    static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
        memcmp(a, b, count) == 0
    }
}

#if !canImport(Darwin)
/// glibc's `malloc_usable_size`, which the Glibc module does not import (it lives in
/// `<malloc.h>`); looked up once. Nil on a libc without it, where the estimate is used.
private let mallocUsableSize: (@convention(c) (UnsafeMutableRawPointer?) -> Int)? = {
    guard let symbol = dlsym(nil, "malloc_usable_size") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutableRawPointer?) -> Int).self)
}()
#endif
