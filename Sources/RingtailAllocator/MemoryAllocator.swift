import CJemalloc

/// The process's memory allocator: jemalloc, linked in place of glibc's malloc.
///
/// A coordinating node allocates and frees a few small objects per request (promises,
/// closures, quorum rounds) with hundreds of requests in flight; glibc's per-thread cache
/// holds seven chunks per size, so most of them took malloc's slow paths (~20% of the node's
/// CPU under pipelined reads, docs/BENCHMARKS.md). jemalloc is also what Redis runs on.
public enum MemoryAllocator {
    /// "jemalloc-5.3.0", as Redis's INFO `mem_allocator` names it; "libc" if jemalloc does not
    /// answer (its symbols were not the ones bound at load time).
    public static var name: String {
        var version: UnsafePointer<CChar>? = nil
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &version, &size, nil, 0) == 0, let version else { return "libc" }
        // "5.3.0-0-g54eaed1d…": the release, without the commit.
        let release = String(cString: version).split(separator: "-").first.map(String.init) ?? ""
        return "jemalloc-" + release
    }

    /// Bytes the allocator handed out to the process, and bytes of physical memory it holds
    /// (its metadata and free pages included); nil when jemalloc does not answer.
    public static func statistics() -> (allocated: Int, resident: Int)? {
        // Statistics are a snapshot taken when the epoch advances.
        var epoch: UInt64 = 1
        var previous: UInt64 = 0
        var size = MemoryLayout<UInt64>.size
        guard mallctl("epoch", &previous, &size, &epoch, size) == 0 else { return nil }
        guard let allocated = readSize("stats.allocated"), let resident = readSize("stats.resident") else { return nil }
        return (allocated, resident)
    }

    private static func readSize(_ name: String) -> Int? {
        var value = 0
        var size = MemoryLayout<Int>.size
        return mallctl(name, &value, &size, nil, 0) == 0 ? value : nil
    }
}
