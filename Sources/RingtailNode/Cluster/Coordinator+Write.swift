import NIOCore
import RingtailClient
import RingtailModel
import RingtailReplication
import RingtailStorage
import RingtailWire
import Synchronization

extension Coordinator {
    /// What a coordinated write reports back.
    public struct WriteOutcome: Sendable {
        public var version: RingtailModel.Version
        /// Whether any replica replaced a live value (for DELETE: whether the key existed).
        public var replacedLiveValue: Bool
    }

    /// Writes `entry` (a value or a tombstone; the version is chosen here) to the key's
    /// replicas and succeeds after W acknowledgements. Replicas that are down get the write
    /// through a substitute node or through this node's hints.
    public func write(_ entry: StoredEntry, writeQuorum: UInt32?, on eventLoop: any EventLoop) -> EventLoopFuture<WriteOutcome> {
        CoordinatorAnswer.future(on: eventLoop) { write(entry, writeQuorum: writeQuorum, answer: $0) }
    }

    /// `write(_:writeQuorum:on:)` answering through `completion`, called on `eventLoop`.
    public func write(
        _ entry: StoredEntry, writeQuorum: UInt32?, on eventLoop: any EventLoop,
        completion: @escaping @Sendable (Result<WriteOutcome, any Error>) -> Void
    ) {
        write(entry, writeQuorum: writeQuorum, answer: .callback(eventLoop, completion))
    }

    private func write(_ entry: StoredEntry, writeQuorum: UInt32?, answer: CoordinatorAnswer<WriteOutcome>) {
        let required: Int
        do {
            required = try quorum(writeQuorum, default: cluster.configuration.writeQuorum, kind: "write")
        } catch {
            return answer.complete(.failure(error))
        }
        counters.coordinatedWrites.add(1, ordering: .relaxed)
        let version = local.versions.nextVersion()
        var entry = entry
        entry.version = EntryVersion(version)

        let keyHash = entry.key.withUnsafeReadableBytes { Store.keyHash($0) }
        let route = cluster.routes.route(forKeyHash: keyHash).route
        let plan = route.writePlan
        for owner in plan.unplaced { hints.add(entry, for: owner) }
        guard let round = try? WriteRound(targets: route.writeNodes, required: required) else {
            let shortfall = QuorumError.notReached(QuorumShortfall(kind: .write, required: required, succeeded: 0, contacted: plan.nodes.count, failures: [], timedOut: 0))
            return answer.complete(.failure(quorumError(shortfall)))
        }
        let state = WriteState(coordinator: self, round: consume round, targets: plan.targets, entry: entry, answer: answer, version: version)
        // Remote requests first, so they are on their way while the local copy is written.
        // Owners get the same request: encoded once when there are several of them.
        let me = cluster.me
        var shared: Frame? = nil
        if plan.targets.count(where: { $0.node != me && $0.hintFor == nil }) > 1 {
            shared = Frame(encoding: .replicaWriteRequest(ReplicaWriteRequest(entry: entry, hintFor: nil)))
        }
        for target in plan.targets where target.node != me {
            guard let client = client(for: target.node) else {
                record(state, from: target.node, result: .failure(OperationError(.internalError, "no address for \(target.node)")))
                continue
            }
            let recordReply = { @Sendable [self] (result: Result<Frame, any Error>) in
                record(state, from: target.node, result: PeerReply<ReplicaWriteResponse>.decode(result))
            }
            if let shared, target.hintFor == nil {
                client.send(encoded: shared, completion: recordReply)
            } else {
                client.send(.replicaWriteRequest(ReplicaWriteRequest(entry: entry, hintFor: target.hintFor?.name)), completion: recordReply)
            }
        }
        for target in plan.targets where target.node == cluster.me {
            if let owner = target.hintFor {
                hints.add(entry, for: owner)
                record(state, from: target.node, result: .success(ReplicaWriteResponse(applied: true)))
            } else {
                let result = Result { () throws(OperationError) in try local.applyReplica(entry, keyHash: keyHash) }
                record(state, from: target.node, result: result)
            }
        }
        if !state.isSettled { sweepers.watch(state, on: answer.eventLoop) }
    }

    private func record(_ state: WriteState, from node: NodeID, result: Result<ReplicaWriteResponse, OperationError>) {
        finish(state) { shared in
            switch result {
            case .success(let response):
                if response.replacedLiveValue { shared.replacedLiveValue = true }
                shared.round.record(.success, from: node)
            case .failure(let error):
                shared.round.record(.failure(reason: error.message), from: node)
            }
        }
    }

    /// Applies `update` to the round, answers the client once it is decided, and once every
    /// replica has answered (or the time is up) hands failed owners' writes to hinted handoff.
    func finish(_ state: WriteState, update: (inout WriteState.Shared) -> Void) {
        let (answer, leftovers) = state.shared.withLock { shared -> (Result<WriteOutcome, OperationError>?, [NodeID]?) in
            update(&shared)
            var answer: Result<WriteOutcome, OperationError>?
            if !shared.answered, shared.round.status != .pending {
                shared.answered = true
                if shared.round.status == .won {
                    answer = .success(WriteOutcome(version: state.version, replacedLiveValue: shared.replacedLiveValue))
                } else {
                    answer = .failure(quorumError(shared.round.error))
                }
            }
            var leftovers: [NodeID]?
            if !shared.settled, shared.round.isComplete || shared.round.hasTimedOut {
                shared.settled = true
                state.settled.store(true, ordering: .releasing)
                // Usually every replica answered and none failed: nothing to build then.
                if shared.round.outstanding > 0 || shared.round.failed > 0 {
                    leftovers = shared.round.failures.map(\.node) + shared.round.unanswered
                }
            }
            return (answer, leftovers)
        }
        if let answer { state.answer.complete(answer) }
        if let leftovers {
            for node in leftovers {
                // A substitute that failed leaves the write for its owner; an owner that failed keeps it itself.
                let owner = state.targets.first { $0.node == node }?.hintFor ?? node
                if owner != cluster.me { hints.add(state.entry, for: owner) }
            }
        }
    }
}

/// The shared state of one coordinated write; replies arrive on several event loops.
final class WriteState: SweptRound {
    struct Shared {
        var round: WriteRound
        var answered = false
        var settled = false
        var replacedLiveValue = false
    }

    let coordinator: Coordinator
    let shared: Mutex<Shared>
    /// `Shared.settled`, readable without the lock by the sweeper.
    let settled = Atomic<Bool>(false)
    let targets: [ReplicaTarget]
    let entry: StoredEntry
    let answer: CoordinatorAnswer<Coordinator.WriteOutcome>
    let version: RingtailModel.Version

    /// `round` is moved in, not copied.
    init(
        coordinator: Coordinator, round: consuming WriteRound, targets: [ReplicaTarget], entry: StoredEntry,
        answer: CoordinatorAnswer<Coordinator.WriteOutcome>, version: RingtailModel.Version
    ) {
        self.coordinator = coordinator
        self.shared = Mutex(Shared(round: consume round))
        self.targets = targets
        self.entry = entry
        self.answer = answer
        self.version = version
    }

    var isSettled: Bool { settled.load(ordering: .acquiring) }

    /// Every replica was sent the write at once: there is nobody more to ask.
    func hedge() {}

    func expire() {
        coordinator.finish(self) { $0.round.timeout() }
    }
}
