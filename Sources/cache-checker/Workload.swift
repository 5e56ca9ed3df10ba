import Foundation
import RingtailChecker
import RingtailClient
import RingtailModel
import RingtailWire
import Synchronization

/// Milliseconds since the run started, on the monotonic clock every client shares: the
/// history's only time base, so "before" means the same thing for all clients.
struct RunClock: Sendable {
    let start = ContinuousClock.now

    func millis() -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
}

/// Counters the progress line reads while clients and faults update them.
final class Progress: Sendable {
    let operations = Atomic<Int>(0)
    let errors = Atomic<Int>(0)
    let fault = Mutex<String>("none")
}

/// A small seeded generator, so a run's choices can be replayed from its printed seed.
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

/// The concurrent clients: each picks random operations on random keys until the deadline and
/// records every invocation and completion.
struct Workload: Sendable {
    let settings: RunSettings
    let clock: RunClock
    let progress: Progress

    /// The whole history, ordered by invocation and numbered.
    func run() async -> [Operation] {
        var all = await withTaskGroup(of: [Operation].self) { group in
            for client in 0..<settings.concurrency {
                group.addTask { await runClient(client) }
            }
            if let interval = settings.flushIntervalMillis {
                group.addTask { await runFlusher(every: interval) }
            }
            var all: [Operation] = []
            for await operations in group { all += operations }
            return all
        }
        all.sort { ($0.invokeMillis, $0.client) < ($1.invokeMillis, $1.client) }
        for index in all.indices { all[index].index = index }
        return all
    }

    private func makeClient(_ hostIndex: Int) -> RingtailClient {
        let timeout = Int64(settings.opTimeoutMillis)
        return RingtailClient(address: settings.hosts[hostIndex % settings.hosts.count],
                              requestTimeout: .milliseconds(timeout), connectTimeout: .milliseconds(min(timeout, 1000)))
    }

    /// How long a client that left its own node for another stays away before trying its own
    /// again: a node cut off by a partition still gets traffic (and answers it with errors), as
    /// in Jepsen, instead of being abandoned for the rest of the run after its first timeout.
    static let awayMillis = 2000.0

    private func runClient(_ id: Int) async -> [Operation] {
        var random = SplitMix64(state: settings.seed &+ UInt64(id) &* 0x1000_0000_01B3)
        var hostIndex = id
        var leftHomeAt: Double?
        var client = makeClient(hostIndex)
        var operations: [Operation] = []
        let deadline = Double(settings.durationMillis)
        let total = settings.weights.get + settings.weights.set + settings.weights.delete
        var sequence = 0
        while clock.millis() < deadline {
            sequence += 1
            if let left = leftHomeAt, clock.millis() - left > Self.awayMillis {
                await client.close()
                hostIndex = id
                leftHomeAt = nil
                client = makeClient(hostIndex)
            }
            let key = "chk-\(Int.random(in: 0..<settings.keys, using: &random))"
            let roll = Int.random(in: 0..<total, using: &random)
            let kind: OperationKind = roll < settings.weights.get ? .get : roll < settings.weights.get + settings.weights.set ? .set : .delete
            let start = clock.millis()
            var operation = Operation(index: 0, client: id, kind: kind, key: key, invokeMillis: start, completeMillis: start, outcome: .ok)
            do {
                switch kind {
                case .get:
                    let found = try await client.get(Array(key.utf8), readQuorum: settings.readQuorum)
                    operation.value = found.map { String(decoding: $0.value.readableBytesView, as: UTF8.self) }
                    operation.version = found?.version
                case .set:
                    let value = Self.value(client: id, sequence: sequence, size: settings.valueSize)
                    operation.value = value
                    operation.version = try await client.set(Array(key.utf8), value: Array(value.utf8), writeQuorum: settings.writeQuorum)
                case .delete:
                    try await client.delete(Array(key.utf8), writeQuorum: settings.writeQuorum)
                case .flush:
                    preconditionFailure("clients do not flush; the flusher does")
                }
            } catch {
                operation.outcome = Self.outcome(of: error)
                progress.errors.add(1, ordering: .relaxed)
                if let error = error as? RingtailClientError, error.isConnectionProblem {
                    // That node is down or paused: move this client to the next one, after a pause
                    // so a dead node does not turn into a busy loop of refused connections.
                    await client.close()
                    hostIndex += 1
                    if leftHomeAt == nil { leftHomeAt = clock.millis() }
                    client = makeClient(hostIndex)
                }
                // Also after a quick refusal (no quorum reachable): no busy loop of errors.
                try? await Task.sleep(for: .milliseconds(20))
            }
            operation.completeMillis = clock.millis()
            operations.append(operation)
            progress.operations.add(1, ordering: .relaxed)
        }
        await client.close()
        return operations
    }

    /// FLUSHALL through a random node every `interval`, as one more client (numbered after the
    /// others), until the deadline.
    private func runFlusher(every interval: UInt64) async -> [Operation] {
        var random = SplitMix64(state: settings.seed ^ 0xF1_05_11)
        let id = settings.concurrency
        var operations: [Operation] = []
        let deadline = Double(settings.durationMillis)
        while clock.millis() + Double(interval) < deadline {
            try? await Task.sleep(for: .milliseconds(Int64(interval)))
            // Flushes wait for every live member: a longer timeout than single-key operations.
            let client = RingtailClient(address: settings.hosts[Int.random(in: 0..<settings.hosts.count, using: &random)],
                                        requestTimeout: .milliseconds(Int64(settings.opTimeoutMillis) * 3), connectTimeout: .seconds(1))
            let start = clock.millis()
            var operation = Operation(index: 0, client: id, kind: .flush, key: Operation.everyKey, invokeMillis: start, completeMillis: start, outcome: .ok)
            do {
                operation.version = try await client.flushAll().modelVersion
            } catch {
                operation.outcome = Self.outcome(of: error)
                progress.errors.add(1, ordering: .relaxed)
            }
            operation.completeMillis = clock.millis()
            operations.append(operation)
            progress.operations.add(1, ordering: .relaxed)
            await client.close()
        }
        return operations
    }

    /// A value unique to this write (`c3-op17`), padded to the requested size.
    static func value(client: Int, sequence: Int, size: Int) -> String {
        let id = "c\(client)-op\(sequence)"
        return id.count >= size ? id : id + "-" + String(repeating: "x", count: size - id.count - 1)
    }

    /// Failed only when the request certainly never took effect; anything that may have reached
    /// a replica is unknown, because a write short of its quorum can still land and spread.
    static func outcome(of error: any Error) -> Outcome {
        guard let error = error as? RingtailClientError else { return .unknown }
        switch error {
        case .connectionFailed: return .failed
        case .timeout, .connectionClosed, .protocolViolation: return .unknown
        case .server(let code, _):
            let refusedUpFront: Set<ErrorCode> = [.malformedFrame, .unknownMessageType, .frameTooLarge, .unsupportedVersion,
                                                  .keyTooLarge, .valueTooLarge, .invalidArgument, .unauthorized]
            return refusedUpFront.contains(code) ? .failed : .unknown
        }
    }
}

/// The checker's operation, not Foundation's `Operation` (NSOperation).
typealias Operation = RingtailChecker.Operation
