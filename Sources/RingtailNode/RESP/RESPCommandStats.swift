import NIOCore
import RingtailRESP
import Synchronization

/// How a Redis command was answered, as `/metrics` and `INFO commandstats` count it.
enum RESPCommandOutcome: Int, CaseIterable, Sendable {
    /// Any reply that is not one of the others.
    case ok
    /// A null reply: GET of a missing key, SET NX of an existing one, and the like.
    case miss
    /// An error reply other than the cluster being unreachable.
    case error
    /// The quorum could not be reached in time, or the node is shutting down.
    case unavailable

    var label: String { ["ok", "miss", "error", "unavailable"][rawValue] }

    /// `allCases.count`, as a constant for the hot path.
    static let count = 4

    /// The outcome of the reply that starts at `index` of `buffer` (RESP2 or RESP3).
    init(reply buffer: ByteBuffer, at index: Int) {
        switch buffer.getInteger(at: index, as: UInt8.self) {
        case UInt8(ascii: "_"): self = .miss
        case UInt8(ascii: "$"), UInt8(ascii: "*"):
            self = buffer.getInteger(at: index + 1, as: UInt8.self) == UInt8(ascii: "-") ? .miss : .ok
        case UInt8(ascii: "-"), UInt8(ascii: "!"):
            self = Self.ofError(buffer.getString(at: index + 1, length: min(8, buffer.writerIndex - index - 1)) ?? "")
        default: self = .ok
        }
    }

    /// The outcome of a coordinated command that completed with `result`.
    init(_ result: Result<RESPValue, any Error>) {
        switch result {
        case .success(.null), .success(.nullArray): self = .miss
        case .success(.error(let text)): self = Self.ofError(text)
        case .success(.blobError): self = .error
        case .success: self = .ok
        case .failure(let error as OperationError):
            switch error.code {
            case .quorumFailed, .timeout, .shuttingDown: self = .unavailable
            default: self = .error
            }
        case .failure: self = .error
        }
    }

    /// The first words of the error replies `RESPErrors.from` gives for an unreachable quorum.
    private static let unavailablePrefixes = ["NOQUORUM", "TIMEOUT", "SHUTDOWN"]

    private static func ofError(_ text: String) -> Self {
        unavailablePrefixes.contains { text.hasPrefix($0) } ? .unavailable : .error
    }
}

/// Upper bounds of the latency histogram's buckets, in nanoseconds (Prometheus `le` labels).
enum RESPLatencyBuckets {
    static let boundsNanos: [UInt64] = [
        10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
        1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
        100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000,
    ]

    /// Buckets, the overflow bucket included: `boundsNanos.count + 1`, as a constant.
    static let count = 19

    /// The bucket `nanos` falls in; `boundsNanos.count` for the overflow bucket.
    @inline(__always)
    static func index(of nanos: UInt64) -> Int {
        var index = 0
        while index < boundsNanos.count, nanos > boundsNanos[index] { index += 1 }
        return index
    }
}

/// Calls, outcomes and latencies of Redis commands, by command, and the bytes their
/// connections read and wrote.
///
/// Counting must not cost the hot path a lock or a contended cache line, so every event loop
/// records into its own shard, which only that loop's thread writes (relaxed loads and stores,
/// no read-modify-write instructions); a scrape adds the shards up.
final class RESPCommandStats: Sendable {
    private let shards = PerEventLoop { _ in RESPCommandStatsShard() }

    /// The shard connections on `eventLoop` record into; look it up once per connection.
    func shard(for eventLoop: any EventLoop) -> RESPCommandStatsShard {
        shards.value(for: eventLoop)
    }

    /// Bytes read from and written to every connection so far (INFO's `total_net_*_bytes`).
    func networkBytes() -> (input: UInt64, output: UInt64) {
        let shards = self.shards.all
        return shards.reduce((0, 0)) { total, shard in
            let bytes = shard.networkBytes
            return (total.0 &+ bytes.input, total.1 &+ bytes.output)
        }
    }

    /// Every (command, outcome) pair seen so far, added up over the shards.
    func snapshot() -> [RESPCommandSeries] {
        let shards = self.shards.all
        var series: [RESPCommandSeries] = []
        for kind in RESPCommandKind.allCases {
            for outcome in RESPCommandOutcome.allCases {
                var total = RESPCommandSeries(kind: kind, outcome: outcome)
                for shard in shards { shard.add(kind, outcome, into: &total) }
                if total.count > 0 { series.append(total) }
            }
        }
        return series
    }
}

/// One (command, outcome) pair's totals.
struct RESPCommandSeries: Sendable, Equatable {
    var kind: RESPCommandKind
    var outcome: RESPCommandOutcome
    var sumNanos: UInt64 = 0
    /// Per bucket of `RESPLatencyBuckets.boundsNanos`, plus the overflow bucket; not cumulative.
    var buckets = [UInt64](repeating: 0, count: RESPLatencyBuckets.count)

    /// Calls: the buckets' total, so that it always equals the `+Inf` bucket.
    var count: UInt64 { buckets.reduce(0, &+) }
}

/// The counters of one event loop. Only that loop's thread calls `record`.
final class RESPCommandStatsShard: @unchecked Sendable {
    // @unchecked: the cells are atomics in memory this object owns; a single writer (the
    // shard's loop) and any number of readers is safe with relaxed atomic loads and stores.
    private static let bucketCount = RESPLatencyBuckets.count
    /// Per (command, outcome): the sum of nanoseconds, then the buckets.
    private static let stride = RESPLatencyBuckets.count + 1
    private static let commandCells = RESPCommandKind.allCases.count * RESPCommandOutcome.count * stride
    /// After the commands' cells: bytes read from and written to this loop's connections.
    private static let inputBytesCell = commandCells
    private static let outputBytesCell = commandCells + 1
    private static let cellCount = commandCells + 2
    private let cells: UnsafeMutablePointer<Atomic<UInt64>>

    init() {
        cells = .allocate(capacity: Self.cellCount)
        for index in 0..<Self.cellCount { (cells + index).initialize(to: Atomic(0)) }
    }

    deinit {
        cells.deinitialize(count: Self.cellCount)
        cells.deallocate()
    }

    @inline(__always)
    private static func base(_ kind: RESPCommandKind, _ outcome: RESPCommandOutcome) -> Int {
        (Int(kind.rawValue) * RESPCommandOutcome.count + outcome.rawValue) * stride
    }

    /// Counts one command that took `nanos`.
    @inline(__always)
    func record(_ kind: RESPCommandKind, _ outcome: RESPCommandOutcome, nanos: UInt64) {
        let base = Self.base(kind, outcome)
        bump(base, by: nanos)
        bump(base + 1 + RESPLatencyBuckets.index(of: nanos), by: 1)
    }

    @inline(__always)
    private func bump(_ index: Int, by amount: UInt64) {
        let cell = cells + index
        cell.pointee.store(cell.pointee.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }

    /// Counts bytes read from a connection of this loop.
    @inline(__always)
    func countInput(_ bytes: Int) { bump(Self.inputBytesCell, by: UInt64(bytes)) }

    /// Counts bytes written to a connection of this loop.
    @inline(__always)
    func countOutput(_ bytes: Int) { bump(Self.outputBytesCell, by: UInt64(bytes)) }

    fileprivate var networkBytes: (input: UInt64, output: UInt64) {
        (cells[Self.inputBytesCell].load(ordering: .relaxed), cells[Self.outputBytesCell].load(ordering: .relaxed))
    }

    fileprivate func add(_ kind: RESPCommandKind, _ outcome: RESPCommandOutcome, into series: inout RESPCommandSeries) {
        let base = Self.base(kind, outcome)
        series.sumNanos &+= cells[base].load(ordering: .relaxed)
        for bucket in 0..<Self.bucketCount {
            series.buckets[bucket] &+= cells[base + 1 + bucket].load(ordering: .relaxed)
        }
    }
}
