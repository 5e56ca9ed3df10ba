import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the kernel says about this process: CPU time, memory, file descriptors and start
/// time, for `INFO` and the standard `process_*` metrics operators expect of any exporter.
struct ProcessStatistics: Sendable, Equatable {
    var userCPUSeconds: Double
    var systemCPUSeconds: Double
    var residentBytes: UInt64
    var virtualBytes: UInt64
    /// Nil where `/proc` cannot be read.
    var openFileDescriptors: Int?
    var maxFileDescriptors: UInt64?
    /// Unix time the process started, in seconds.
    var startTimeSeconds: Double?

    /// The fields of `/proc/self/stat` this reads, parsed; nil when the text is not one.
    struct StatFields: Equatable {
        var startTicksSinceBoot: UInt64
        var virtualBytes: UInt64
        var residentPages: UInt64
    }

    /// Reads the current values. CPU times come from `getrusage` (microseconds, where
    /// `/proc` has clock ticks); memory, descriptors and start time from `/proc`. Counting
    /// the open descriptors lists `/proc/self/fd`, one entry per connection: callers on a
    /// request path that do not report it pass false.
    static func current(countingDescriptors: Bool = true) -> ProcessStatistics {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        var statistics = ProcessStatistics(
            userCPUSeconds: seconds(usage.ru_utime), systemCPUSeconds: seconds(usage.ru_stime),
            residentBytes: 0, virtualBytes: 0)
        let pageSize = UInt64(max(1, sysconf(Int32(_SC_PAGESIZE))))
        let ticksPerSecond = Double(max(1, sysconf(Int32(_SC_CLK_TCK))))
        if let text = readProcFile("/proc/self/stat"), let fields = parseStat(text) {
            statistics.residentBytes = fields.residentPages * pageSize
            statistics.virtualBytes = fields.virtualBytes
            if let boot = readProcFile("/proc/stat").flatMap(parseBootTime) {
                statistics.startTimeSeconds = Double(boot) + Double(fields.startTicksSinceBoot) / ticksPerSecond
            }
        }
        if countingDescriptors {
            statistics.openFileDescriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count
        }
        var limit = rlimit()
        if getrlimit(openFiles, &limit) == 0 { statistics.maxFileDescriptors = UInt64(limit.rlim_cur) }
        return statistics
    }

    /// Parses a `/proc/PID/stat` line. The command name (field 2) may hold spaces and
    /// parentheses, so fields are counted from after its last `)`.
    static func parseStat(_ text: String) -> StatFields? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // fields[0] is field 3 (state): field n is fields[n - 3].
        guard fields.count >= 22,
              let start = UInt64(fields[22 - 3]),
              let virtual = UInt64(fields[23 - 3]),
              let resident = Int64(fields[24 - 3].trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        return StatFields(startTicksSinceBoot: start, virtualBytes: virtual, residentPages: UInt64(max(0, resident)))
    }

    /// The `btime` line of `/proc/stat`: when the system booted, in Unix seconds.
    static func parseBootTime(_ text: String) -> UInt64? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return UInt64(line.dropFirst("btime ".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    private static func seconds(_ time: timeval) -> Double {
        Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000
    }

    /// The whole file: procfs files report a size of 0, so they are read to their end.
    private static func readProcFile(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    #if os(Linux)
    private static let openFiles = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let openFiles = RLIMIT_NOFILE
    #endif
}
