import RingtailModel

/// Where a member stands in this node's view.
public enum MemberState: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case alive
    /// Missed a probe; declared dead unless it refutes before the suspicion times out.
    case suspect
    /// Suspicion timed out. Kept as a tombstone and re-contacted now and then.
    case dead
    /// Left on purpose; nobody waits for failure detection.
    case left

    /// Rank among updates of equal incarnation.
    var precedence: Int { Int(rawValue) }

    /// Probed, chosen for gossip and sync; counted in `n` for timeouts.
    public var isLive: Bool { self == .alive || self == .suspect }

    public var description: String {
        switch self {
        case .alive: "alive"
        case .suspect: "suspect"
        case .dead: "dead"
        case .left: "left"
        }
    }
}

/// One member as this node sees it.
public struct Member: Sendable, Hashable, CustomStringConvertible {
    public var id: NodeID
    /// The member's cluster address, "host:port".
    public var address: String
    public var state: MemberState
    /// Raised only by the member itself, to refute suspicion or to come back after death.
    public var incarnation: UInt64
    /// When this node last received anything from the member, by this node's clock.
    public var lastHeardMillis: UInt64
    /// Relative capacity, for the ring.
    public var weight: Double

    public init(
        id: NodeID,
        address: String,
        state: MemberState = .alive,
        incarnation: UInt64 = 0,
        lastHeardMillis: UInt64 = 0,
        weight: Double = 1
    ) {
        self.id = id
        self.address = address
        self.state = state
        self.incarnation = incarnation
        self.lastHeardMillis = lastHeardMillis
        self.weight = weight
    }

    /// This member as gossip.
    public var update: MemberUpdate {
        MemberUpdate(id: id, address: address, state: state, incarnation: incarnation, weight: weight)
    }

    public var description: String { "\(id.name)@\(address) \(state)(\(incarnation))" }
}

/// The other members (not this node), in the order they were learned. Lookups go through
/// indexes, but iteration is always over the array: dictionary order changes from process to
/// process and would make simulations unrepeatable.
struct MemberList: Sendable {
    struct Entry: Sendable {
        var member: Member
        var stateChangedMillis: UInt64
        var suspicion: Suspicion?
    }

    private(set) var entries: [Entry] = []
    private var indexByName: [String: Int] = [:]
    private var nameByTag: [NodeTag: String] = [:]
    private var nameByAddress: [String: String] = [:]

    var isEmpty: Bool { entries.isEmpty }

    func index(named name: String) -> Int? { indexByName[name] }

    func name(withTag tag: NodeTag) -> String? { nameByTag[tag] }

    /// The latest member seen at `address`.
    func index(atAddress address: String) -> Int? {
        nameByAddress[address].flatMap { indexByName[$0] }
    }

    subscript(index: Int) -> Entry {
        get { entries[index] }
        set {
            let oldAddress = entries[index].member.address
            entries[index] = newValue
            let member = newValue.member
            if member.address != oldAddress {
                if nameByAddress[oldAddress] == member.id.name { nameByAddress[oldAddress] = nil }
                nameByAddress[member.address] = member.id.name
            }
        }
    }

    mutating func append(_ entry: Entry) {
        let member = entry.member
        indexByName[member.id.name] = entries.count
        nameByTag[member.id.tag] = member.id.name
        nameByAddress[member.address] = member.id.name
        entries.append(entry)
    }

    /// Removes the named members; rare (tombstone expiry), so the indexes are simply rebuilt.
    mutating func remove(named names: Set<String>) {
        guard !names.isEmpty else { return }
        let kept = entries.filter { !names.contains($0.member.id.name) }
        entries = []
        indexByName = [:]
        nameByTag = [:]
        nameByAddress = [:]
        for entry in kept { append(entry) }
    }

    /// Members that are probed and count towards `n`.
    var liveCount: Int { entries.reduce(0) { $0 + ($1.member.state.isLive ? 1 : 0) } }
}

/// A running suspicion with Lifeguard's shrinking timeout: it starts at the longest timeout and
/// approaches the shortest as independent members confirm, since many confirmations make a
/// false positive unlikely while a lone, possibly unhealthy, suspecter waits long.
struct Suspicion: Sendable {
    let startedMillis: UInt64
    let shortestMillis: UInt64
    let longestMillis: UInt64
    let confirmationsWanted: Int
    private(set) var confirmers: Set<String>
    private(set) var confirmations = 0

    init(startedMillis: UInt64, by suspecter: String?, range: (min: UInt64, max: UInt64), confirmationsWanted: Int) {
        self.startedMillis = startedMillis
        self.shortestMillis = range.min
        self.longestMillis = range.max
        self.confirmationsWanted = confirmationsWanted
        // The originator does not count: its own suspicion may be gossiped back to it.
        self.confirmers = suspecter.map { [$0] } ?? []
    }

    /// Records a confirmation; true when it was new and changed the deadline.
    mutating func confirm(by name: String) -> Bool {
        guard confirmations < confirmationsWanted, !confirmers.contains(name) else { return false }
        confirmers.insert(name)
        confirmations += 1
        return true
    }

    var deadlineMillis: UInt64 {
        guard confirmationsWanted > 0 else { return startedMillis + shortestMillis }
        let fraction = Logarithm.ln(Double(confirmations + 1)) / Logarithm.ln(Double(confirmationsWanted + 1))
        let span = Double(longestMillis - shortestMillis)
        let timeout = Double(longestMillis) - fraction * span
        return startedMillis + Swift.max(shortestMillis, UInt64(timeout.rounded(.down)))
    }
}
