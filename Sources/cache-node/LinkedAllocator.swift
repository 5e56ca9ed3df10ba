import CJemalloc

/// jemalloc replaces glibc's malloc for the whole node process (Swift runtime and NIO
/// included) because this executable links it: a coordinating node allocates a few small
/// objects per request with hundreds of requests in flight, more than glibc's per-thread
/// cache holds (docs/BENCHMARKS.md). The libraries find it at run time (`MemoryAllocator`),
/// so their tests keep running on glibc.
enum LinkedAllocator {
    /// Whether jemalloc answers; calling into it also keeps the library linked.
    static var isActive: Bool {
        var version: UnsafePointer<CChar>? = nil
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        return mallctl("version", &version, &size, nil, 0) == 0
    }
}
