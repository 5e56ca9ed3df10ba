// Benchmark driver for scripts/bench-storage.sh; not a package target.
import Glibc
import RingtailModel
import RingtailStorage

/// VmRSS of this process in bytes, from /proc/self/status.
func residentBytes() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.hasPrefix("VmRSS:") {
            let digits = text.filter(\.isNumber)
            return (Int(digits) ?? 0) * 1024
        }
    }
    return 0
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

@main
struct BenchStorage {
    static func main() {
        let arguments = CommandLine.arguments
        let keyCount = arguments.count > 1 ? Int(arguments[1])! : 1_000_000
        let valueBytes = arguments.count > 2 ? Int(arguments[2])! : 100
        let keyBytes = 16

        // All keys, `key:000000000001` style, in one buffer made before the baseline.
        var keys = [UInt8](repeating: 0, count: keyCount * keyBytes)
        for i in 0..<keyCount {
            let text = Array("key:".utf8) + Array(String(i + 1).utf8)
            let padded = Array(text.prefix(4)) + [UInt8](repeating: UInt8(ascii: "0"), count: keyBytes - text.count)
                + Array(text.dropFirst(4))
            for j in 0..<keyBytes { keys[i * keyBytes + j] = padded[j] }
        }
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueBytes)
        var order = Array(0..<keyCount)
        var random = SplitMix64(state: 1)
        order.shuffle(using: &random)

        let store = Store(configuration: StoreConfiguration(maxMemoryBytes: 8 << 30, shardCount: 64))
        let now: UInt64 = 1_700_000_000_000
        let node = NodeTag(rawValue: 1)
        let baselineRSS = residentBytes()
        let baselineMemory = store.statistics().memoryUsedBytes
        let clock = ContinuousClock()

        var stamp: UInt64 = 1
        let insert = keys.withUnsafeBytes { all in
            value.withUnsafeBytes { v in
                clock.measure {
                    for i in 0..<keyCount {
                        let key = UnsafeRawBufferPointer(rebasing: all[i * keyBytes..<(i + 1) * keyBytes])
                        stamp += 1
                        _ = store.write(
                            key: key, value: v, version: Version(timestamp: HLCTimestamp(rawValue: stamp), node: node),
                            expiresAtMillis: 0, nowMillis: now)
                    }
                }
            }
        }
        let stats = store.statistics()
        precondition(stats.keys == keyCount && stats.evictions == 0)
        let rss = residentBytes()

        func timeGets() -> Duration {
            var found = 0
            let elapsed = keys.withUnsafeBytes { all in
                clock.measure {
                    for i in order {
                        let key = UnsafeRawBufferPointer(rebasing: all[i * keyBytes..<(i + 1) * keyBytes])
                        found &+= store.read(key: key, nowMillis: now) { lookup in
                            if case .value(let stored) = lookup { return stored.bytes.count }
                            return 0
                        }
                    }
                }
            }
            precondition(found == keyCount * valueBytes)
            return elapsed
        }
        let get = timeGets()

        let overwrite = keys.withUnsafeBytes { all in
            value.withUnsafeBytes { v in
                clock.measure {
                    for i in order {
                        let key = UnsafeRawBufferPointer(rebasing: all[i * keyBytes..<(i + 1) * keyBytes])
                        stamp += 1
                        _ = store.write(
                            key: key, value: v, version: Version(timestamp: HLCTimestamp(rawValue: stamp), node: node),
                            expiresAtMillis: 0, nowMillis: now)
                    }
                }
            }
        }

        let getAgain = timeGets()
        let n = Double(keyCount)
        func fmt(_ x: Double) -> String { String(Int(x.rounded())) }
        print("keys=\(keyCount) key_bytes=\(keyBytes) value_bytes=\(valueBytes) shards=64")
        print("memoryUsedBytes/key=\(fmt(Double(stats.memoryUsedBytes - baselineMemory) / n))")
        print("rss_growth/key=\(fmt(Double(rss - baselineRSS) / n))")
        print("SET(insert) ops/s=\(fmt(n / seconds(insert)))")
        print("GET(random hit) ops/s=\(fmt(n / seconds(get)))")
        print("SET(overwrite, random) ops/s=\(fmt(n / seconds(overwrite)))")
        print("GET(random hit, second pass) ops/s=\(fmt(n / seconds(getAgain)))")
    }
}
