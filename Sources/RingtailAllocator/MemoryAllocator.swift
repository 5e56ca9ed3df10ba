#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's memory allocator, as far as `INFO memory` tells: jemalloc when the
/// executable links it (`cache-node` does, see `Sources/CJemalloc`), else the C library's.
///
/// jemalloc is found at run time, so this module, and the libraries and tests that use it,
/// work under either allocator; only the `cache-node` executable decides which one runs.
public enum MemoryAllocator {
    /// "jemalloc-5.3.0", as Redis's INFO `mem_allocator` names it, or "libc".
    public static var name: String {
        guard let mallctl = jemallocControl else { return "libc" }
        var version: UnsafePointer<CChar>? = nil
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &version, &size, nil, 0) == 0, let version else { return "libc" }
        // "5.3.0-0-g54eaed1d…": the release, without the commit.
        let release = String(cString: version).split(separator: "-").first.map(String.init) ?? ""
        return "jemalloc-" + release
    }

    /// Bytes jemalloc handed out to the process, and bytes of physical memory it holds (its
    /// metadata and free pages included); nil under another allocator.
    public static func statistics() -> (allocated: Int, resident: Int)? {
        guard let mallctl = jemallocControl else { return nil }
        // Statistics are a snapshot taken when the epoch advances.
        var epoch: UInt64 = 1
        var previous: UInt64 = 0
        var size = MemoryLayout<UInt64>.size
        guard mallctl("epoch", &previous, &size, &epoch, size) == 0 else { return nil }
        func read(_ name: String) -> Int? {
            var value = 0
            var size = MemoryLayout<Int>.size
            return mallctl(name, &value, &size, nil, 0) == 0 ? value : nil
        }
        guard let allocated = read("stats.allocated"), let resident = read("stats.resident") else { return nil }
        return (allocated, resident)
    }

    private typealias Control = @convention(c) (
        UnsafePointer<CChar>?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?, UnsafeMutableRawPointer?, Int
    ) -> Int32

    /// jemalloc's `mallctl`, if the process has it.
    private static let jemallocControl: Control? = {
        guard let symbol = dlsym(nil, "mallctl") else { return nil }
        return unsafeBitCast(symbol, to: Control.self)
    }()
}
