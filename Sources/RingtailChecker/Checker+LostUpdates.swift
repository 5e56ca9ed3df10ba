import RingtailModel

extension Checker {
    /// Whether a lost write is a *lost update*: last-write-wins picked a winner by version, and
    /// the versions (HLC timestamps, from skewed clocks) ordered the writes against real time.
    /// That is what LWW does under clock skew, not data loss, when all of these hold:
    /// - every replica of the key holds the same thing: they agreed on one winner;
    /// - what they hold is a set of this key (phantoms are found apart), or nothing while the
    ///   history has a delete that may have landed;
    /// - no acknowledged set has a version above the held set's: an acknowledged write reached
    ///   W replicas, and LWW keeps the highest version, so losing a higher version is data loss
    ///   whatever the clocks say. (A held set of unknown outcome has no version to compare.)
    static func isLostUpdate(held: String?, replicas: [String: String?], _ timeline: KeyTimeline) -> Bool {
        guard Set(replicas.values).count == 1 else { return false }
        guard let held else {
            return timeline.writes.contains { $0.kind == .delete }
        }
        guard let write = timeline.set(writing: held) else { return false }
        guard let version = write.version else { return true }
        return !timeline.writes.contains { $0.kind == .set && $0.isAcknowledged && ($0.version ?? .zero) > version }
    }
}
