import RingtailMembership
import RingtailModel

/// A seeded in-memory network and virtual clock driving a cluster of `SWIMInstance`s the way a
/// shell would: `tick(now:)` every `tickMillis`, messages delivered after a seeded delay.
///
/// Faults: loss, partitions, crash (no ticks, messages vanish), pause (no ticks, messages wait,
/// like SIGSTOP) and restart (a fresh instance under the same name and address). Everything
/// random comes from the seed, and nothing iterates a dictionary, so a seed replays exactly.
final class SimulatedNetwork {
    enum Status { case running, paused, crashed }

    struct Node {
        var id: NodeID
        var address: String
        var instance: SWIMInstance
        var status: Status = .running
        var nextTickMillis: UInt64
        /// Messages that arrived while paused.
        var held: [Envelope] = []
    }

    struct Envelope {
        var deliverAtMillis: UInt64
        var order: UInt64
        var from: String
        var to: String
        var message: SWIMMessage
    }

    /// A status change seen by `observer`, for flap checks and failure logs.
    struct Change: CustomStringConvertible {
        var atMillis: UInt64
        var observer: String
        var member: String
        var from: MemberState?
        var to: MemberState
        var incarnation: UInt64
        var description: String {
            "\(atMillis)ms \(observer): \(member) \(from.map(\.description) ?? "new") -> \(to)(\(incarnation))"
        }
    }

    let seed: UInt64
    let settings: SWIMSettings
    let tickMillis: UInt64
    var delayMillis: ClosedRange<UInt64> = 1...5
    var lossRate = 0.0
    private(set) var now: UInt64 = 1_000_000
    private(set) var nodes: [Node] = []
    private(set) var changes: [Change] = []
    private(set) var messagesSent = 0
    private var random: SplitMix64
    private var inFlight = EnvelopeQueue()
    private var order: UInt64 = 0
    /// Partition group per node index; nodes in different groups cannot talk.
    private var groups: [Int]?
    private var restarts = 0

    init(seed: UInt64, settings: SWIMSettings = .lan, tickMillis: UInt64 = 100) {
        self.seed = seed
        self.settings = settings
        self.tickMillis = tickMillis
        self.random = SplitMix64(seed: seed)
    }

    // MARK: Building clusters

    static func address(of name: String) -> String { "\(name):7946" }

    /// Adds a running node; it joins through `seeds` (names) unless they are empty.
    @discardableResult
    func addNode(_ name: String, joining seeds: [String] = []) -> Int {
        let id = NodeID(name)
        let address = Self.address(of: name)
        let instance = makeInstance(id: id, address: address)
        nodes.append(Node(id: id, address: address, instance: instance, nextTickMillis: now + jitter()))
        let index = nodes.count - 1
        if !seeds.isEmpty {
            let directives = nodes[index].instance.join(seeds: seeds.map(Self.address(of:)), now: now)
            execute(directives, from: index)
        }
        return index
    }

    /// `count` nodes named n0, n1, …; n0 starts alone and the rest join through it, one every
    /// `staggerMillis`.
    func startCluster(count: Int, staggerMillis: UInt64 = 50) {
        addNode("n0")
        for i in 1..<count {
            run(forMillis: staggerMillis)
            addNode("n\(i)", joining: ["n0"])
        }
    }

    private func makeInstance(id: NodeID, address: String) -> SWIMInstance {
        let instanceSeed = seed ^ StableHash.xxh64(Array(id.name.utf8)) ^ UInt64(restarts) &* 0x9E37_79B9
        return SWIMInstance(id: id, address: address, settings: settings, random: SplitMix64(seed: instanceSeed))
    }

    private func jitter() -> UInt64 { random.next() % tickMillis }

    func index(of name: String) -> Int {
        guard let index = nodes.firstIndex(where: { $0.id.name == name }) else { fatalError("no node \(name)") }
        return index
    }

    // MARK: Faults

    func crash(_ name: String) {
        let i = index(of: name)
        nodes[i].status = .crashed
        nodes[i].held = []
    }

    func pause(_ name: String) { nodes[index(of: name)].status = .paused }

    /// Resumes a paused node: like SIGCONT, it reads its queued messages, then its timers fire.
    func resume(_ name: String) {
        let i = index(of: name)
        nodes[i].status = .running
        let held = nodes[i].held
        nodes[i].held = []
        for envelope in held { deliver(envelope, to: i) }
        nodes[i].nextTickMillis = now
    }

    /// A new process under the same name and address, starting at incarnation 0.
    func restart(_ name: String, joining seeds: [String]) {
        let i = index(of: name)
        restarts += 1
        nodes[i].instance = makeInstance(id: nodes[i].id, address: nodes[i].address)
        nodes[i].status = .running
        nodes[i].held = []
        nodes[i].nextTickMillis = now + jitter()
        execute(nodes[i].instance.join(seeds: seeds.map(Self.address(of:)), now: now), from: i)
    }

    func leave(_ name: String) {
        let i = index(of: name)
        execute(nodes[i].instance.leave(now: now), from: i)
    }

    /// Splits the cluster: each inner array is a group of names; unnamed nodes form one more group.
    func partition(_ named: [[String]]) {
        var assignment = Array(repeating: named.count, count: nodes.count)
        for (group, names) in named.enumerated() {
            for name in names { assignment[index(of: name)] = group }
        }
        groups = assignment
    }

    func heal() { groups = nil }

    private func connected(_ a: Int, _ b: Int) -> Bool {
        guard let groups else { return true }
        return groups[a] == groups[b]
    }

    // MARK: Running

    /// Runs until `deadline`, processing deliveries and ticks in time order.
    func run(untilMillis deadline: UInt64) {
        while true {
            let nextMessage = inFlight.peek?.deliverAtMillis ?? .max
            var nextTick = UInt64.max
            var ticking = -1
            for i in nodes.indices where nodes[i].status == .running && nodes[i].nextTickMillis < nextTick {
                nextTick = nodes[i].nextTickMillis
                ticking = i
            }
            let next = min(nextMessage, nextTick)
            guard next <= deadline else { break }
            now = next
            if nextMessage <= nextTick, let envelope = inFlight.pop() {
                guard let target = nodes.firstIndex(where: { $0.address == envelope.to }) else { continue }
                guard let source = nodes.firstIndex(where: { $0.address == envelope.from }), connected(source, target)
                else { continue }
                deliver(envelope, to: target)
            } else {
                nodes[ticking].nextTickMillis = now + tickMillis
                execute(nodes[ticking].instance.tick(now: now), from: ticking)
            }
        }
        now = deadline
    }

    func run(forMillis duration: UInt64) { run(untilMillis: now + duration) }

    /// Runs until `condition` holds (checked every `stepMillis`) or `limitMillis` pass; returns
    /// the elapsed time when it held, or nil.
    func run(atMost limitMillis: UInt64, stepMillis: UInt64 = 10, until condition: () -> Bool) -> UInt64? {
        let start = now
        while now - start < limitMillis {
            if condition() { return now - start }
            run(forMillis: stepMillis)
        }
        return condition() ? now - start : nil
    }

    private func deliver(_ envelope: Envelope, to target: Int) {
        switch nodes[target].status {
        case .crashed:
            return
        case .paused:
            nodes[target].held.append(envelope)
        case .running:
            execute(nodes[target].instance.receive(envelope.message, from: envelope.from, now: now), from: target)
        }
    }

    private func execute(_ directives: [SWIMDirective], from source: Int) {
        for directive in directives {
            switch directive {
            case .send(let address, let message):
                messagesSent += 1
                if lossRate > 0, Double(random.next() % 1_000_000) / 1_000_000 < lossRate { continue }
                let span = delayMillis.upperBound - delayMillis.lowerBound + 1
                order += 1
                inFlight.push(Envelope(
                    deliverAtMillis: now + delayMillis.lowerBound + random.next() % span, order: order,
                    from: nodes[source].address, to: address, message: message))
            case .memberStatusChanged(let member, let from, let to):
                changes.append(Change(
                    atMillis: now, observer: nodes[source].id.name, member: member.id.name,
                    from: from, to: to, incarnation: member.incarnation))
            case .memberRemoved, .memberRefused:
                break
            }
        }
    }

    // MARK: Observing

    /// What `observer` believes about `member`.
    func state(of member: String, seenBy observer: String) -> MemberState? {
        nodes[index(of: observer)].instance.member(named: member)?.state
    }

    func instance(_ name: String) -> SWIMInstance { nodes[index(of: name)].instance }

    /// True when every running node sees every node in `names` in `state`.
    func everyone(sees names: [String], as state: MemberState, excluding: Set<String> = []) -> Bool {
        nodes.allSatisfy { node in
            node.status != .running || excluding.contains(node.id.name)
                || names.allSatisfy { node.instance.member(named: $0)?.state == state }
        }
    }

    /// True when every running node sees `name` alive at the incarnation `name` itself holds.
    func everyoneHasLatest(_ name: String) -> Bool {
        let latest = instance(name).myself.incarnation
        return nodes.allSatisfy { node in
            node.status != .running || node.instance.member(named: name).map { $0.state == .alive && $0.incarnation == latest } == true
        }
    }

    /// True when every running node sees every running node alive.
    var converged: Bool {
        everyone(sees: nodes.filter { $0.status == .running }.map(\.id.name), as: .alive)
    }

    /// The last few changes, for failure messages.
    func recentChanges(_ count: Int = 25) -> String {
        "seed \(seed); last changes:\n" + changes.suffix(count).map(\.description).joined(separator: "\n")
    }
}
