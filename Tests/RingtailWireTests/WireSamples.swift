import NIOCore
import RingtailWire
import Testing

/// A named message for table-driven tests.
struct WireSample: Sendable, CustomTestStringConvertible {
    var name: String
    var message: AnyMessage

    var testDescription: String { name }

    /// The body as `AnyMessage` encodes it.
    var body: [UInt8] {
        var buffer = ByteBuffer()
        message.encode(into: &buffer)
        return buffer.bytes
    }
}

/// Every framed message with default values and with edge values.
enum WireSamples {
    static let largeBytes = ByteBuffer(bytes: (0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
    static let unicode = "ringtail 🦝 — ünïcødé, 日本語, עברית, \u{0}nul and e\u{301}"

    /// Each message type at its defaults, which must encode to the smallest body.
    static let defaults: [WireSample] = [
        WireSample(name: "ErrorResponse()", message: .errorResponse(ErrorResponse())),
        WireSample(name: "PingRequest()", message: .pingRequest(PingRequest())),
        WireSample(name: "PingResponse()", message: .pingResponse(PingResponse())),
        WireSample(name: "GetRequest()", message: .getRequest(GetRequest())),
        WireSample(name: "GetResponse()", message: .getResponse(GetResponse())),
        WireSample(name: "SetRequest()", message: .setRequest(SetRequest())),
        WireSample(name: "SetResponse()", message: .setResponse(SetResponse())),
        WireSample(name: "DeleteRequest()", message: .deleteRequest(DeleteRequest())),
        WireSample(name: "DeleteResponse()", message: .deleteResponse(DeleteResponse())),
        WireSample(name: "StatsRequest()", message: .statsRequest(StatsRequest())),
        WireSample(name: "StatsResponse()", message: .statsResponse(StatsResponse())),
    ]

    static let edges: [WireSample] = [
        WireSample(
            name: "ErrorResponse unicode",
            message: .errorResponse(ErrorResponse(code: .quorumFailed, message: unicode))
        ),
        WireSample(
            name: "ErrorResponse unknown code, long message",
            message: .errorResponse(ErrorResponse(code: ErrorCode(rawValue: .max), message: String(repeating: "x", count: 300)))
        ),
        WireSample(name: "PingResponse max", message: .pingResponse(PingResponse(nodeId: "node-α", uptimeMillis: .max))),
        WireSample(name: "GetRequest present zero quorum", message: .getRequest(GetRequest(key: ByteBuffer(bytes: [0]), readQuorum: 0))),
        WireSample(name: "GetRequest 64 KiB key", message: .getRequest(GetRequest(key: largeBytes, readQuorum: .max))),
        WireSample(
            name: "GetResponse found",
            message: .getResponse(
                GetResponse(found: true, value: largeBytes, version: EntryVersion(timestamp: .max, node: .max), expiresAtMillis: 0)
            )
        ),
        WireSample(
            name: "GetResponse default version present",
            message: .getResponse(GetResponse(found: false, value: ByteBuffer(), version: EntryVersion(), expiresAtMillis: .max))
        ),
        WireSample(
            name: "SetRequest empty value, zero ttl",
            message: .setRequest(SetRequest(key: ByteBuffer(bytes: [1, 2, 3]), value: ByteBuffer(), ttlMillis: 0))
        ),
        WireSample(
            name: "SetRequest max",
            message: .setRequest(
                SetRequest(key: ByteBuffer(bytes: Array(0...255)), value: largeBytes, ttlMillis: .max, writeQuorum: .max)
            )
        ),
        WireSample(name: "SetResponse", message: .setResponse(SetResponse(version: EntryVersion(timestamp: 1, node: 0)))),
        WireSample(name: "DeleteRequest", message: .deleteRequest(DeleteRequest(key: ByteBuffer(string: "k"), writeQuorum: 3))),
        WireSample(
            name: "DeleteResponse",
            message: .deleteResponse(DeleteResponse(existed: true, version: EntryVersion(timestamp: 0x0102_0304_0506_0708, node: 1)))
        ),
        WireSample(name: "StatsResponse max", message: .statsResponse(fullStats(.max, offset: .min))),
        WireSample(name: "StatsResponse small", message: .statsResponse(fullStats(1, offset: -1))),
    ]

    static let all = defaults + edges

    /// Samples small enough to mutate many times over.
    static let small = all.filter { $0.body.count <= 512 }

    private static func fullStats(_ value: UInt64, offset: Int64) -> StatsResponse {
        let narrow = UInt32(truncatingIfNeeded: value)
        return StatsResponse(
            nodeId: "node-\(value)", uptimeMillis: value, keys: value, tombstones: value, memoryUsedBytes: value,
            memoryLimitBytes: value, evictions: value, expirations: value, hits: value, misses: value, sets: value,
            deletes: value, connections: value, protocolVersion: narrow,
            shards: [
                ShardStats(),
                ShardStats(index: narrow, keys: value, memoryUsedBytes: value),
                ShardStats(index: 7, keys: 0, memoryUsedBytes: 1 << 40),
            ],
            clockOffsetMillis: offset
        )
    }
}
