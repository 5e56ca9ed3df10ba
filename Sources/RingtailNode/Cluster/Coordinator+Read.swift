import NIOCore
import RingtailClient
import RingtailModel
import RingtailReplication
import RingtailStorage
import RingtailWire
import Synchronization

extension Coordinator {
    /// Reads `key` from R of its reachable replicas (this node first when it is one) and
    /// answers with the newest version, judging expiry as of the read's start (one clock
    /// reading serves the local read, the answer and the repair plan). The other replicas are
    /// asked only when one of the R fails, is still filling, or is slow (see `ReadRound`).
    /// Replicas asked that were behind are repaired in the background once all have answered.
    ///
    /// When this node holds a live value, the others are asked for theirs unless it has the
    /// same version (`ReplicaReadRequest.unlessVersion`): replicas in agreement, the usual
    /// case, answer with the version alone, and the value crosses the network only when they
    /// differ.
    public func read(_ key: ByteBuffer, readQuorum: UInt32?, on eventLoop: any EventLoop) -> EventLoopFuture<GetResponse> {
        CoordinatorAnswer.future(on: eventLoop) { read(key, readQuorum: readQuorum, answer: $0) }
    }

    /// `read(_:readQuorum:on:)` answering through `completion`, called on `eventLoop`.
    public func read(
        _ key: ByteBuffer, readQuorum: UInt32?, on eventLoop: any EventLoop,
        completion: @escaping @Sendable (Result<GetResponse, any Error>) -> Void
    ) {
        read(key, readQuorum: readQuorum, answer: .callback(eventLoop, completion))
    }

    private func read(_ key: ByteBuffer, readQuorum: UInt32?, answer: CoordinatorAnswer<GetResponse>) {
        let required: Int
        do {
            required = try quorum(readQuorum, default: cluster.configuration.readQuorum, kind: "read")
        } catch {
            return answer.complete(.failure(error))
        }
        counters.coordinatedReads.add(1, ordering: .relaxed)
        let keyHash = key.withUnsafeReadableBytes { Store.keyHash($0) }
        let (partition, route) = cluster.routes.route(forKeyHash: keyHash)
        // This node first when it is a replica: a local read costs no round trip.
        let (first, spares) = route.readTargets(required: required)
        // Complete answers that intersect every write quorum of the cluster's default W.
        let replicas = max(1, cluster.effectiveReplicas)
        let sufficient = replicas - min(cluster.configuration.writeQuorum, replicas) + 1
        guard let round = try? ReadRound<ByteBuffer>(
            targets: first, required: required, spares: spares, sufficient: sufficient) else {
            let shortfall = QuorumError.notReached(QuorumShortfall(kind: .read, required: required, succeeded: 0, contacted: route.readOrder.count, failures: [], timedOut: 0))
            return answer.complete(.failure(quorumError(shortfall)))
        }
        let startedMillis = local.wallClock.nowMillis()
        // The local copy first: what it holds tells the others what they need not send back.
        let localAnswer = first.contains(cluster.me) ? readLocally(key, keyHash: keyHash, partition: partition, nowMillis: startedMillis) : nil
        let state = ReadState(
            coordinator: self, round: consume round, key: key, keyHash: keyHash, partition: partition,
            startedMillis: startedMillis, answer: answer, standIns: route.extended,
            localValue: localAnswer.flatMap { ReadState.LocalValue($0.entry) })
        for node in first where node != cluster.me { ask(node, for: state) }
        if let localAnswer { record(state, from: cluster.me, result: .success(localAnswer)) }
        if !state.isSettled { sweepers.watch(state, on: answer.eventLoop) }
    }

    private func readLocally(_ key: ByteBuffer, keyHash: UInt64, partition: Int, nowMillis: UInt64) -> ReplicaReadResponse {
        let complete = cluster.custody.isComplete(partition)
        let entry = local.readReplica(key, keyHash: keyHash, nowMillis: nowMillis)
        return ReplicaReadResponse(entry: entry, notReady: !complete)
    }

    /// Sends the replica read to `node` (or reads locally) and records the answer.
    func ask(_ node: NodeID, for state: ReadState) {
        if node == cluster.me {
            let answer = readLocally(state.key, keyHash: state.keyHash, partition: state.partition, nowMillis: state.startedMillis)
            record(state, from: node, result: .success(answer))
            return
        }
        guard let client = client(for: node) else {
            record(state, from: node, result: .failure(OperationError(.internalError, "no address for \(node)")))
            return
        }
        client.sendReplicaRead(key: state.key, unlessVersion: state.localValue?.wireVersion) { [self] result in
            record(state, from: node, result: PeerReply<ReplicaReadResponse>.decode(result))
        }
    }

    private func record(_ state: ReadState, from node: NodeID, result: Result<ReplicaReadResponse, OperationError>) {
        let reply: ReadReply<ByteBuffer>
        var notReady = false
        switch result {
        case .failure(let error):
            reply = .failed(reason: error.message)
        case .success(let response) where response.sameVersion:
            notReady = response.notReady
            // The value this node holds, named by its version: the same write.
            if let known = state.localValue, response.entry.version == known.wireVersion {
                counters.readsAnsweredByVersion.add(1, ordering: .relaxed)
                reply = .value(version: known.version, expiresAtMillis: known.expiresAtMillis, payload: known.payload)
            } else {
                reply = .failed(reason: "\(node) answered with a version this node did not ask about")
            }
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
        // others cannot make R alone, a replica not asked yet is, or else the next node on the
        // ring stands in (after a join, that is the former replica still handing the
        // partition off).
        var standIn = false
        finish(state) { shared in
            let candidate = state.standIns.first { !shared.round.targets.contains($0) && cluster.isReachable($0) }
            standIn = shared.round.recordNotReady(reply, from: node, standIn: candidate).addedStandIn != nil
        }
        if standIn { counters.readStandIns.add(1, ordering: .relaxed) }
    }

    /// Applies `update` to the round, answers the client once it is decided, sends the read
    /// to any target the round added, and once every target asked has answered (or the time
    /// is up) repairs the ones behind.
    func finish(_ state: ReadState, update: (inout ReadState.Shared) -> Void) {
        let now = state.startedMillis
        let (answer, toAsk, repair) = state.shared.withLock { shared -> (Result<GetResponse, OperationError>?, [NodeID], ReadRepairPlan<ByteBuffer>?) in
            update(&shared)
            let toAsk = shared.round.takeTargetsToAsk()
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
                return (answer, toAsk, nil)
            }
            shared.settled = true
            state.settled.store(true, ordering: .releasing)
            return (answer, toAsk, shared.round.repairPlan(nowMillis: now))
        }
        if let answer { state.answer.complete(answer) }
        for node in toAsk { ask(node, for: state) }
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
                client.send(.replicaWriteRequest(ReplicaWriteRequest(entry: entry))) { _ in }
            }
        }
        logger.debug("read repair", metadata: ["replicas": "\(plan.replicas.map(\.description).joined(separator: ","))"])
    }
}

/// The shared state of one coordinated read; replies arrive on several event loops.
final class ReadState: SweptRound {
    struct Shared {
        var round: ReadRound<ByteBuffer>
        var answered = false
        var settled = false
    }

    let coordinator: Coordinator
    let shared: Mutex<Shared>
    /// `Shared.settled`, readable without the lock by the sweeper.
    let settled = Atomic<Bool>(false)
    let key: ByteBuffer
    /// `Store.keyHash(key)` and the key's partition, for the local read.
    let keyHash: UInt64
    let partition: Int
    /// Wall-clock milliseconds when the read began: expiry is judged as of then.
    let startedMillis: UInt64
    let answer: CoordinatorAnswer<GetResponse>

    /// Nodes after the preference list, in ring order, that may stand in for a filling replica.
    let standIns: [NodeID]
    /// This node's live value of the key, when it is a replica holding one: the others are
    /// asked to answer with the version alone when they hold the same.
    let localValue: LocalValue?

    /// A live value as read from this node's own store.
    struct LocalValue {
        var wireVersion: EntryVersion
        var version: Version
        var expiresAtMillis: UInt64?
        var payload: ByteBuffer

        init?(_ entry: StoredEntry) {
            guard entry.state == .live, let wireVersion = entry.version else { return nil }
            self.wireVersion = wireVersion
            self.version = wireVersion.modelVersion
            self.expiresAtMillis = entry.expiresAtMillis == 0 ? nil : entry.expiresAtMillis
            self.payload = entry.value
        }
    }

    /// `round` is moved in, not copied (a round holds a dozen reference-counted fields).
    init(coordinator: Coordinator, round: consuming ReadRound<ByteBuffer>, key: ByteBuffer, keyHash: UInt64, partition: Int, startedMillis: UInt64, answer: CoordinatorAnswer<GetResponse>, standIns: [NodeID], localValue: LocalValue?) {
        self.coordinator = coordinator
        self.shared = Mutex(Shared(round: consume round))
        self.key = key
        self.keyHash = keyHash
        self.partition = partition
        self.startedMillis = startedMillis
        self.answer = answer
        self.standIns = standIns
        self.localValue = localValue
    }

    var isSettled: Bool { settled.load(ordering: .acquiring) }

    /// Slow: the replicas not asked yet are asked too, and the first R answers win.
    func hedge() {
        coordinator.finish(self) { shared in
            if shared.round.askSpares() > 0 { coordinator.counters.readHedges.add(1, ordering: .relaxed) }
        }
    }

    func expire() {
        coordinator.finish(self) { $0.round.timeout() }
    }
}
