import NIOCore
import RingtailModel
import RingtailRESP

/// Runs request streams over one Redis-protocol connection, the way `BenchDriver` does over
/// the binary RPC: each stream writes a batch of `pipeline` requests and starts the next
/// batch when the last answer is in. Redis answers a connection's requests in order, so one
/// queue of awaited replies matches every reply to its request.
///
/// All state is confined to the connection's event loop. Requests go into one buffer that is
/// flushed once per socket read (or once after the first batches), so streams sharing a
/// connection share its write syscalls. With WAIT, a SET's operation ends, and its latency is
/// taken, when the WAIT's reply arrives.
final class RESPBenchDriver: RESPReplySink {
    /// What the next reply answers.
    private enum Awaited: UInt8 {
        case get
        case set
        /// A SET followed by a WAIT: its outcome is held until the WAIT's reply.
        case setBeforeWait
        case wait
    }

    private struct Entry {
        var stream: Int32
        var awaited: Awaited
    }

    private let handler: RESPReplyHandler
    private let loop: any EventLoop
    private let host: String
    private let requests: RESPBenchRequests
    private let waits: Bool
    private let timeout: TimeAmount
    private let workload: BenchWorkload
    private let counters: BenchCounters
    private let pipeline: Int
    private var random: SplitMix64
    private var tally = BenchTally()
    private var awaited: CircularBuffer<Entry>
    /// Per stream: operations still unanswered in the current batch, and when it was sent.
    private var outstanding: [Int]
    private var sentAt: [NIODeadline]
    private var running: Int
    /// The failure of the SET whose WAIT reply comes next; nil when it was stored.
    private var heldSetFailure: String?
    /// One clock reading for all replies of a socket read.
    private var readTime: NIODeadline?
    private var outbound: ByteBuffer
    private var timeoutCheck: RepeatedTask?
    private var finished = false
    private let done: EventLoopPromise<BenchTally>

    static func run(
        streams: Int, pipeline: Int, handler: RESPReplyHandler, loop: any EventLoop, host: String,
        requests: RESPBenchRequests, confirmWrites: Bool, timeout: TimeAmount,
        workload: BenchWorkload, counters: BenchCounters, seed: UInt64
    ) -> EventLoopFuture<BenchTally> {
        let driver = RESPBenchDriver(
            streams: streams, pipeline: pipeline, handler: handler, loop: loop, host: host,
            requests: requests, waits: confirmWrites && requests.wait != nil, timeout: timeout,
            workload: workload, counters: counters, seed: seed
        )
        handler.sink = driver
        driver.startTimeoutCheck()
        for stream in 0..<streams { driver.startBatch(stream) }
        driver.flush()
        driver.finishIfIdle()
        return driver.done.futureResult
    }

    private init(
        streams: Int, pipeline: Int, handler: RESPReplyHandler, loop: any EventLoop, host: String,
        requests: RESPBenchRequests, waits: Bool, timeout: TimeAmount,
        workload: BenchWorkload, counters: BenchCounters, seed: UInt64
    ) {
        self.handler = handler
        self.loop = loop
        self.host = host
        self.requests = requests
        self.waits = waits
        self.timeout = timeout
        self.workload = workload
        self.counters = counters
        self.pipeline = pipeline
        self.random = SplitMix64(seed: seed)
        self.awaited = CircularBuffer(initialCapacity: max(16, streams * pipeline * (waits ? 2 : 1)))
        self.outstanding = Array(repeating: 0, count: streams)
        self.sentAt = Array(repeating: .now(), count: streams)
        self.running = streams
        self.outbound = ByteBufferAllocator().buffer(capacity: 16 << 10)
        self.done = loop.makePromise()
    }

    private func startBatch(_ stream: Int) {
        guard let batch = counters.claim(pipeline) else {
            running -= 1
            finishIfIdle()
            return
        }
        sentAt[stream] = .now()
        outstanding[stream] = batch.count
        let index = Int32(stream)
        for sequence in batch {
            let (operation, key) = workload.pick(sequence: sequence, random: &random)
            switch operation {
            case .get:
                requests.writeGet(key: key, into: &outbound)
                awaited.append(Entry(stream: index, awaited: .get))
            case .set:
                requests.writeSet(key: key, into: &outbound)
                if waits, let wait = requests.waitCommand {
                    outbound.writeImmutableBuffer(wait)
                    awaited.append(Entry(stream: index, awaited: .setBeforeWait))
                    awaited.append(Entry(stream: index, awaited: .wait))
                } else {
                    awaited.append(Entry(stream: index, awaited: .set))
                }
            }
        }
    }

    func received(_ reply: RESPValue) {
        guard let entry = awaited.popFirst() else {
            handler.fail(.unexpectedReply(host, detail: "a reply with no request outstanding"))
            return
        }
        let stream = Int(entry.stream)
        switch entry.awaited {
        case .setBeforeWait:
            heldSetFailure = RESPBenchRequests.setFailure(reply)
        case .wait:
            let failure = heldSetFailure ?? requests.waitFailure(reply)
            heldSetFailure = nil
            finish(stream, failure: failure)
        case .set:
            finish(stream, failure: RESPBenchRequests.setFailure(reply))
        case .get:
            switch RESPBenchRequests.getOutcome(reply) {
            case .success(let found):
                if found { tally.hits += 1 } else { tally.misses += 1 }
                finish(stream, failure: nil)
            case .failure(let failure):
                finish(stream, failure: failure.kind)
            }
        }
    }

    private func finish(_ stream: Int, failure: String?) {
        if let failure {
            tally.errors[failure, default: 0] += 1
            counters.errors.add(1, ordering: .relaxed)
        } else {
            tally.succeeded += 1
            let now: NIODeadline
            if let readTime {
                now = readTime
            } else {
                now = .now()
                readTime = now
            }
            let nanoseconds = UInt64(clamping: (now - sentAt[stream]).nanoseconds)
            tally.latency.record(min(nanoseconds, BenchTally.highestLatency))
        }
        counters.completed.add(1, ordering: .relaxed)
        outstanding[stream] -= 1
        // Error replies are answers too: the next batch goes out as after a success.
        if outstanding[stream] == 0 { startBatch(stream) }
    }

    func readFinished() {
        readTime = nil
        flush()
    }

    private func flush() {
        guard outbound.readableBytes > 0 else { return }
        handler.send(outbound)
        // Reuses the storage when the write went out at once, as it usually does.
        outbound.clear()
    }

    func connectionFailed(_ error: RESPBenchError) {
        guard !finished else { return }
        finished = true
        timeoutCheck?.cancel()
        done.fail(error)
    }

    /// A server that stops answering would otherwise hold the run forever.
    private func startTimeoutCheck() {
        let this = NIOLoopBound(self, eventLoop: loop)
        let interval = TimeAmount.nanoseconds(max(timeout.nanoseconds / 4, 10_000_000))
        timeoutCheck = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            this.value.checkTimeout()
        }
    }

    private func checkTimeout() {
        guard !finished, let oldest = awaited.first else { return }
        if NIODeadline.now() - sentAt[Int(oldest.stream)] > timeout {
            handler.fail(.timeout(host, millis: timeout.nanoseconds / 1_000_000))
        }
    }

    private func finishIfIdle() {
        guard running == 0, !finished else { return }
        finished = true
        timeoutCheck?.cancel()
        handler.sink = nil
        done.succeed(tally)
    }
}
