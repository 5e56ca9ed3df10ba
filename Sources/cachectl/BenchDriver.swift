import Histogram
import NIOCore
import RingtailClient
import RingtailWire
import Synchronization
import RingtailModel

/// A connection `cachectl bench` drives request streams over, whatever its protocol.
protocol BenchTarget: Sendable {
    /// Runs `streams` request streams until `counters` says stop; the future completes with
    /// what they observed once all have stopped. `confirmWrites` is false for the prefill,
    /// which skips per-write confirmations such as Redis's WAIT.
    func runStreams(
        _ streams: Int, pipeline: Int, workload: BenchWorkload, counters: BenchCounters,
        seed: UInt64, confirmWrites: Bool
    ) -> EventLoopFuture<BenchTally>
}

/// One binary-RPC client connection and the event loop it lives on.
struct BenchConnection: BenchTarget {
    var client: RingtailClient
    var loop: any EventLoop

    func runStreams(
        _ streams: Int, pipeline: Int, workload: BenchWorkload, counters: BenchCounters,
        seed: UInt64, confirmWrites: Bool
    ) -> EventLoopFuture<BenchTally> {
        BenchDriver.run(on: self, streams: streams, pipeline: pipeline, workload: workload, counters: counters, seed: seed)
    }
}

/// Shared by every driver of one phase: the request budget, the deadline, and the live
/// counts the progress line reads.
final class BenchCounters: Sendable {
    let limit: Int?
    let deadline: NIODeadline?
    let completed = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    private let issued = Atomic<Int>(0)

    init(limit: Int?, deadline: NIODeadline?) {
        self.limit = limit
        self.deadline = deadline
    }

    /// Claims the sequence numbers of the next batch (up to `wanted`), or nil once the budget
    /// is spent or the deadline has passed. Requests already in flight still finish.
    func claim(_ wanted: Int) -> Range<Int>? {
        if let deadline, NIODeadline.now() >= deadline { return nil }
        let first = issued.add(wanted, ordering: .relaxed).oldValue
        guard let limit else { return first..<(first + wanted) }
        guard first < limit else { return nil }
        return first..<min(first + wanted, limit)
    }
}

/// What one driver (or, merged, a whole phase) observed.
struct BenchTally: Sendable {
    /// Latency of every answered request, in nanoseconds.
    var latency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: Self.highestLatency, numberOfSignificantValueDigits: .three)
    var succeeded = 0
    var hits = 0
    var misses = 0
    /// Failed requests by kind: `timeout`, `connection`, `server: quorumFailed`, …
    var errors: [String: Int] = [:]

    /// An hour: anything slower is recorded as an hour rather than dropped.
    static let highestLatency: UInt64 = 3_600 * 1_000_000_000

    var errorCount: Int { errors.values.reduce(0, +) }

    mutating func merge(_ other: BenchTally) {
        latency.add(other.latency)
        succeeded += other.succeeded
        hits += other.hits
        misses += other.misses
        errors.merge(other.errors, uniquingKeysWith: +)
    }
}

/// Runs request streams over one connection. All of its state is confined to the
/// connection's event loop, so recording takes no locks and no task hops: each stream
/// writes a batch with `sendFuture`, back to back, and starts the next batch when the
/// batch's last answer is in (or, after an error, a moment later).
final class BenchDriver {
    private let connection: BenchConnection
    private let workload: BenchWorkload
    private let counters: BenchCounters
    private let pipeline: Int
    private var random: SplitMix64
    private var tally = BenchTally()
    /// Per stream: answers still awaited in the current batch, and how the batch went.
    private var outstanding: [Int]
    private var batchError: [BatchError?]
    private var running: Int
    private var finished = false
    private let done: EventLoopPromise<BenchTally>

    private enum BatchError {
        case connection
        case other
    }

    /// Starts `streams` streams on `connection`'s loop; the future completes when all have
    /// stopped.
    static func run(
        on connection: BenchConnection, streams: Int, pipeline: Int,
        workload: BenchWorkload, counters: BenchCounters, seed: UInt64
    ) -> EventLoopFuture<BenchTally> {
        connection.loop.flatSubmit {
            let driver = BenchDriver(connection: connection, streams: streams, pipeline: pipeline, workload: workload, counters: counters, seed: seed)
            for stream in 0..<streams { driver.startBatch(stream) }
            driver.finishIfIdle()
            return driver.done.futureResult
        }
    }

    private init(connection: BenchConnection, streams: Int, pipeline: Int, workload: BenchWorkload, counters: BenchCounters, seed: UInt64) {
        self.connection = connection
        self.workload = workload
        self.counters = counters
        self.pipeline = pipeline
        self.random = SplitMix64(seed: seed)
        self.outstanding = Array(repeating: 0, count: streams)
        self.batchError = Array(repeating: nil, count: streams)
        self.running = streams
        self.done = connection.loop.makePromise()
    }

    private func startBatch(_ stream: Int) {
        guard let batch = counters.claim(pipeline) else {
            running -= 1
            finishIfIdle()
            return
        }
        let loop = connection.loop
        let this = NIOLoopBound(self, eventLoop: loop)
        let sent = NIODeadline.now()
        outstanding[stream] = batch.count
        batchError[stream] = nil
        for sequence in batch {
            let (operation, message) = workload.request(sequence: sequence, random: &random)
            connection.client.sendFuture(message).hop(to: loop).whenComplete { result in
                this.value.answered(stream: stream, operation: operation, result: result, sent: sent)
            }
        }
    }

    private func answered(stream: Int, operation: BenchWorkload.Operation, result: Result<Frame, any Error>, sent: NIODeadline) {
        if let failure = classify(result, operation: operation) {
            tally.errors[failure, default: 0] += 1
            counters.errors.add(1, ordering: .relaxed)
            if batchError[stream] != .connection {
                batchError[stream] = failure == "connection" ? .connection : .other
            }
        } else {
            tally.succeeded += 1
            let nanoseconds = UInt64(clamping: (NIODeadline.now() - sent).nanoseconds)
            tally.latency.record(min(nanoseconds, BenchTally.highestLatency))
        }
        counters.completed.add(1, ordering: .relaxed)
        outstanding[stream] -= 1
        guard outstanding[stream] == 0 else { return }

        let this = NIOLoopBound(self, eventLoop: connection.loop)
        switch batchError[stream] {
        case nil:
            startBatch(stream)
        case .other:
            // Not inline: a future that failed at once would otherwise recurse.
            connection.loop.execute { this.value.startBatch(stream) }
        case .connection:
            // The client reconnects on the next request; don't spin while the node is away.
            connection.loop.scheduleTask(in: .milliseconds(50)) { this.value.startBatch(stream) }
        }
    }

    /// Nil for a good answer (counting GET hits and misses), else the kind of failure.
    private func classify(_ result: Result<Frame, any Error>, operation: BenchWorkload.Operation) -> String? {
        switch result {
        case .success(let frame):
            var body = frame.body
            switch frame.messageType {
            case .setResponse where operation == .set:
                return nil
            case .getResponse where operation == .get:
                guard let response = try? GetResponse(decoding: &body) else { return "malformed response" }
                if response.found { tally.hits += 1 } else { tally.misses += 1 }
                return nil
            case .errorResponse:
                let code = (try? ErrorResponse(decoding: &body))?.code ?? .unspecified
                return "server: \(code)"
            default:
                return "unexpected message type \(frame.messageTypeRaw)"
            }
        case .failure(let error as RingtailClientError):
            switch error {
            case .timeout: return "timeout"
            case .connectionFailed, .connectionClosed: return "connection"
            case .server(let code, _): return "server: \(code)"
            case .protocolViolation: return "protocol violation"
            }
        case .failure(let error):
            return "\(type(of: error))"
        }
    }

    private func finishIfIdle() {
        guard running == 0, !finished else { return }
        finished = true
        done.succeed(tally)
    }
}
