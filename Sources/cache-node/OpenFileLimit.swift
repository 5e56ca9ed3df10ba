#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit, which bounds connections: raised to the hard limit at start
/// (distributions leave the soft one at 1,024), as Redis does.
enum OpenFileLimit {
    /// Raises the soft limit to the hard one (at most 1,048,576); returns the limits before
    /// and after, or nil when they cannot be read. Leaves it as it was when the system refuses.
    static func raise() -> (before: Int, now: Int, raised: Bool)? {
        var limit = rlimit()
        guard getrlimit(openFiles, &limit) == 0 else { return nil }
        let before = Int(clamping: limit.rlim_cur)
        let target = min(limit.rlim_max, 1 << 20)
        guard limit.rlim_cur < target else { return (before, before, false) }
        limit.rlim_cur = target
        guard setrlimit(openFiles, &limit) == 0 else { return (before, before, false) }
        return (before, Int(clamping: target), true)
    }

    #if os(Linux)
    private static let openFiles = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let openFiles = RLIMIT_NOFILE
    #endif
}
