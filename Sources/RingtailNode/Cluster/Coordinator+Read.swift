import NIOCore
import RingtailClient
import RingtailModel
import RingtailReplication
import RingtailWire
import Synchronization

extension Coordinator {
    /// Reads `key` from its reachable replicas and answers after R replies with the newest
    /// version. Replicas found behind are repaired in the background once all have answered.
    public func read(_ key: ByteBuffer, readQuorum: UInt32?, on eventLoop: any EventLoop) -> EventLoopFuture<GetResponse> {
        let required: Int
        do {
            required = try quorum(readQuorum, default: cluster.configuration.readQuorum, kind: "read")
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        counters.coordinatedReads.add(1, ordering: .relaxed)
        let (owners, extended) = placement(of: key)
        let targets = owners.filter(cluster.isReachable)
        guard let round = try? ReadRound<ByteBuffer>(targets: targets, required: required) else {
            let shortfall = QuorumError.notReached(QuorumShortfall(kind: .read, required: required, succeeded: 0, contacted: targets.count, failures: [], timedOut: 0))
            return eventLoop.makeFailedFuture(quorumError(shortfall))
        }
        let promise = eventLoop.makePromise(of: GetResponse.self)
        let state = ReadState(round: round, key: key, promise: promise, standIns: extended)
        let timeout = eventLoop.scheduleTask(in: replicaTimeout) { [self] in
            finish(state) { $0.round.timeout() }
        }
        state.timeout.withLock { $0 = timeout }
        for node in targets { ask(node, for: state) }
        return promise.futureResult
    }

    /// Sends the replica read to `node` (or reads locally) and records the answer.
    private func ask(_ node: NodeID, for state: ReadState) {
        if node == cluster.me {
            let complete = cluster.custody.isComplete(key: state.key.readableBytesView)
            record(state, from: node, result: .success(ReplicaReadResponse(entry: local.readReplica(state.key), notReady: !complete)))
            return
        }
        guard let client = client(for: node) else {
            record(state, from: node, result: .failure(OperationError(.internalError, "no address for \(node)")))
            return
        }
        client.sendFuture(.replicaReadRequest(ReplicaReadRequest(key: state.key))).whenComplete { [self] result in
            record(state, from: node, result: PeerReply<ReplicaReadResponse>.decode(result))
        }
    }

    private func record(_ state: ReadState, from node: NodeID, result: Result<ReplicaReadResponse, OperationError>) {
        let reply: ReadReply<ByteBuffer>
        var notReady = false
        switch result {
        case .failure(let error):
            reply = .failed(reason: error.message)
        case .success(let response):
            notReady = response.notReady
            let entry = response.entry
            switch (entry.state, entry.version?.modelVersion) {
            case (.live, let version?):
                reply = .value(version: version, expiresAtMillis: entry.expiresAtMillis == 0 ? nil : entry.expiresAtMillis, payload: entry.value)
            case (.tombstone, let version?):
                reply = .tombstone(version: version)
            default:
                reply = .missing
            }
        }
        guard notReady else {
            finish(state) { $0.round.record(reply, from: node) }
            return
        }
        // A copy still being filled: its answer informs, but does not count toward R. If the
        // others cannot make R alone, the next node on the ring stands in (after a join, that
        // is the former replica still handing the partition off).
        var standIn: NodeID?
        finish(state) { shared in
            let candidate = state.standIns.first { !shared.round.targets.contains($0) && cluster.isReachable($0) }
            standIn = shared.round.recordNotReady(reply, from: node, standIn: candidate).addedStandIn
        }
        if let standIn {
            counters.readStandIns.add(1, ordering: .relaxed)
            ask(standIn, for: state)
        }
    }

    private func finish(_ state: ReadState, update: (inout ReadState.Shared) -> Void) {
        let now = local.wallClock.nowMillis()
        let (answer, settledNow, repair) = state.shared.withLock { shared -> (Result<GetResponse, OperationError>?, Bool, ReadRepairPlan<ByteBuffer>?) in
            update(&shared)
            var answer: Result<GetResponse, OperationError>?
            if !shared.answered, shared.round.status != .pending {
                shared.answered = true
                if shared.round.status == .won {
                    answer = .success(Self.response(shared.round.resolution(nowMillis: now)))
                } else {
                    answer = .failure(quorumError(shared.round.error))
                }
            }
            guard !shared.settled, shared.round.isComplete || shared.round.hasTimedOut else {
                return (answer, false, nil)
            }
            shared.settled = true
            return (answer, true, shared.round.repairPlan(nowMillis: now))
        }
        if let answer {
            switch answer {
            case .success(let response): state.promise.succeed(response)
            case .failure(let error): state.promise.fail(error)
            }
        }
        if settledNow { state.timeout.withLock { $0?.cancel() } }
        if var repair {
            // A stand-in is no replica: a copy written there would only be dropped again.
            repair.replicas.removeAll { state.standIns.contains($0.node) }
            if !repair.replicas.isEmpty { readRepair(repair, key: state.key) }
        }
    }

    static func response(_ resolution: ReadResolution<ByteBuffer>) -> GetResponse {
        switch resolution {
        case .found(let version, let expiresAtMillis, let payload):
            GetResponse(found: true, value: payload, version: EntryVersion(version), expiresAtMillis: expiresAtMillis)
        case .deleted, .expired, .absent:
            GetResponse(found: false)
        }
    }

    /// Writes the newest entry back to the replicas that were behind; nobody waits for it.
    private func readRepair(_ plan: ReadRepairPlan<ByteBuffer>, key: ByteBuffer) {
        let entry: StoredEntry
        switch plan.entry {
        case .value(let version, let expiresAtMillis, let payload):
            entry = StoredEntry(key: key, state: .live, value: payload, version: EntryVersion(version), expiresAtMillis: expiresAtMillis ?? 0)
        case .tombstone(let version):
            entry = StoredEntry(key: key, state: .tombstone, version: EntryVersion(version))
        }
        counters.readRepairs.add(UInt64(plan.replicas.count), ordering: .relaxed)
        for target in plan.replicas {
            if target.node == cluster.me {
                _ = try? local.applyReplica(entry)
            } else if let client = client(for: target.node) {
                _ = client.sendFuture(.replicaWriteRequest(ReplicaWriteRequest(entry: entry)))
            }
        }
        logger.debug("read repair", metadata: ["replicas": "\(plan.replicas.map(\.description).joined(separator: ","))"])
    }
}

/// The shared state of one coordinated read.
final class ReadState: Sendable {
    struct Shared {
        var round: ReadRound<ByteBuffer>
        var answered = false
        var settled = false
    }

    let shared: Mutex<Shared>
    let key: ByteBuffer
    let promise: EventLoopPromise<GetResponse>
    let timeout = Mutex<Scheduled<Void>?>(nil)

    /// Nodes after the preference list, in ring order, that may stand in for a filling replica.
    let standIns: [NodeID]

    init(round: ReadRound<ByteBuffer>, key: ByteBuffer, promise: EventLoopPromise<GetResponse>, standIns: [NodeID]) {
        self.shared = Mutex(Shared(round: round))
        self.key = key
        self.promise = promise
        self.standIns = standIns
    }
}
