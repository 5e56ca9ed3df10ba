import RingtailModel
@testable import RingtailStorage

/// Versions ordered by `stamp`, with `node` breaking ties.
func version(_ stamp: UInt64, node: UInt32 = 1) -> Version {
    Version(timestamp: HLCTimestamp(rawValue: stamp), node: NodeTag(rawValue: node))
}

let t0: UInt64 = 1_700_000_000_000

extension Store {
    func write(_ key: String, _ value: String, _ version: Version, expiresAt: UInt64 = 0, now: UInt64 = t0)
        -> StoreWriteResult
    {
        write(Array(key.utf8), Array(value.utf8), version, expiresAt: expiresAt, now: now)
    }

    func write(_ key: [UInt8], _ value: [UInt8], _ version: Version, expiresAt: UInt64 = 0, now: UInt64 = t0)
        -> StoreWriteResult
    {
        key.withUnsafeBytes { k in
            value.withUnsafeBytes { v in
                write(key: k, value: v, version: version, expiresAtMillis: expiresAt, nowMillis: now)
            }
        }
    }

    func delete(_ key: String, _ version: Version, now: UInt64 = t0) -> StoreWriteResult {
        Array(key.utf8).withUnsafeBytes { delete(key: $0, version: version, nowMillis: now) }
    }

    /// What a read sees, with the value copied out.
    func get(_ key: String, now: UInt64 = t0) -> Seen {
        get(Array(key.utf8), now: now)
    }

    func get(_ key: [UInt8], now: UInt64 = t0) -> Seen {
        key.withUnsafeBytes { k in
            read(key: k, nowMillis: now) { lookup in
                switch lookup {
                case .value(let stored):
                    .value(Array(stored.bytes), stored.version, stored.expiresAtMillis)
                case .tombstone(let version):
                    .tombstone(version)
                case .missing:
                    .missing
                }
            }
        }
    }

    func string(_ key: String, now: UInt64 = t0) -> String? {
        if case .value(let bytes, _, _) = get(key, now: now) { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }
}

/// A copied-out `StoreLookup`, comparable in expectations.
enum Seen: Equatable, CustomStringConvertible {
    case value([UInt8], Version, UInt64)
    case tombstone(Version)
    case missing

    var description: String {
        switch self {
        case .value(let bytes, let version, let expiry): "value(\(bytes.count) bytes, \(version), exp \(expiry))"
        case .tombstone(let version): "tombstone(\(version))"
        case .missing: "missing"
        }
    }
}


/// A store with one shard (deterministic LRU) and the given budget.
func singleShardStore(
    memory: Int = 64 << 20, maxValueBytes: Int = Limits.defaultMaxValueBytes, grace: UInt64 = 1_000
) -> Store {
    Store(
        configuration: StoreConfiguration(
            maxMemoryBytes: memory, shardCount: 1, maxValueBytes: maxValueBytes, tombstoneGraceMillis: grace))
}

func bytes(_ count: Int, fill: UInt8 = 0x61) -> [UInt8] {
    [UInt8](repeating: fill, count: count)
}
