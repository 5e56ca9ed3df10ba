/// What the checker found. Plain strings and numbers, so the caller can print it or encode it
/// as JSON without knowing the model.
public struct CheckReport: Sendable, Codable, Equatable {
    public struct Counts: Sendable, Codable, Equatable {
        public var operations = 0
        public var acknowledged = 0
        public var failed = 0
        public var unknown = 0
        public var reads = 0
        public var writes = 0
        public var keys = 0
        public var replicaCopies = 0
    }

    /// A replica finally holds something other than the last acknowledged write of its key (or
    /// a write concurrent with it, or of unknown outcome).
    public struct LostWrite: Sendable, Codable, Equatable {
        public var key: String
        public var replica: String
        /// What the replica holds; nil for nothing.
        public var held: String?
        /// What it may hold instead; nil in the list stands for "nothing" (a delete).
        public var allowed: [String?]
    }

    /// A value that no write produced, returned by a read or held by a replica.
    public struct Phantom: Sendable, Codable, Equatable {
        public var key: String
        public var value: String
        /// The read's index in the history, or nil when found on a replica.
        public var operation: Int?
        public var replica: String?
        public var reason: String
    }

    /// Replicas of one key hold different values (nil for nothing).
    public struct Divergence: Sendable, Codable, Equatable {
        public var key: String
        public var replicas: [String: String?]
    }

    /// A read returned a value already superseded by an acknowledged write that completed before
    /// the read began.
    public struct StaleRead: Sendable, Codable, Equatable {
        public var key: String
        public var operation: Int
        /// What the read returned; nil for "not found".
        public var returned: String?
        /// The superseding write's index.
        public var newerWrite: Int
    }

    public var counts = Counts()
    public var lostWrites: [LostWrite] = []
    public var phantoms: [Phantom] = []
    public var divergences: [Divergence] = []
    public var staleReads: [StaleRead] = []
    /// Lost writes that last-write-wins explains by its version order (clock skew): counted,
    /// not errors; only found when `lostUpdatesAreErrors` is false.
    public var lostUpdates: [LostWrite] = []
    /// Keys that have writes in the history but no final state: they could not be checked.
    public var uncheckedKeys: [String] = []
    public var staleReadsAreErrors = false
    public var lostUpdatesAreErrors = true

    /// Keys with at least one lost acknowledged write on some replica.
    public var lostKeys: Int { Set(lostWrites.map(\.key)).count }

    /// Keys whose replicas agreed on a write that real time had superseded (see `lostUpdates`).
    public var lostUpdateKeys: Int { Set(lostUpdates.map(\.key)).count }

    /// True when every invariant holds (stale reads count only when they are errors).
    public var isValid: Bool {
        lostWrites.isEmpty && phantoms.isEmpty && divergences.isEmpty && uncheckedKeys.isEmpty
            && (!staleReadsAreErrors || staleReads.isEmpty)
    }

    /// The broken invariants, by name, for a one-line verdict.
    public var violations: [String] {
        var names: [String] = []
        if !lostWrites.isEmpty { names.append("lost writes on \(lostKeys) keys") }
        if !phantoms.isEmpty { names.append("\(phantoms.count) phantom values") }
        if !divergences.isEmpty { names.append("\(divergences.count) divergent keys") }
        if !uncheckedKeys.isEmpty { names.append("\(uncheckedKeys.count) keys without final state") }
        if staleReadsAreErrors && !staleReads.isEmpty { names.append("\(staleReads.count) stale reads") }
        return names
    }
}
