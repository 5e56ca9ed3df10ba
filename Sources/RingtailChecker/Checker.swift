/// The consistency checker: a pure function from a recorded history and what every replica
/// finally holds to a report. No I/O and no clock; the caller gathers both inputs.
///
/// Invariants, per key:
/// 1. No lost acknowledged write: every replica finally holds the last acknowledged write, or
///    a write concurrent with it, or one of unknown outcome; nothing when that is a delete.
/// 2. No phantom: no read returns, and no replica holds, a value no write produced (or produced
///    only after the read completed).
/// 3. No divergence: all replicas of a key finally hold the same thing.
/// 4. Stale reads (counted; errors only with `staleReadsAreErrors`, which fits R + W > N and no
///    clock skew): a read must not return a value superseded by an acknowledged write that
///    completed before the read began.
///
/// A flush is judged as a delete of every key, with the flush's times and outcome: a value
/// written before it must not survive it, one written concurrently may.
///
/// With `lostUpdatesAreErrors` false (clock skew), a lost write that last-write-wins explains,
/// because the versions ordered the writes against real time, is counted as a lost update
/// instead (see `isLostUpdate`); every other lost write still breaks invariant 1.
public enum Checker {
    public static func check(
        history: [Operation], finalState: FinalState, staleReadsAreErrors: Bool = false, lostUpdatesAreErrors: Bool = true
    ) -> CheckReport {
        var report = CheckReport()
        report.staleReadsAreErrors = staleReadsAreErrors
        report.lostUpdatesAreErrors = lostUpdatesAreErrors
        report.counts = counts(history, finalState)
        let flushes = history.filter { $0.kind == .flush }
        let byKey = Dictionary(grouping: history.filter { $0.kind != .flush }, by: \.key)
        for key in Set(byKey.keys).union(finalState.keys).sorted() {
            let operations = (byKey[key] ?? []) + flushes.map { flush in
                var delete = flush
                delete.kind = .delete
                delete.key = key
                return delete
            }
            let timeline = KeyTimeline(writes: operations)
            let failedValues = Set(operations.filter { $0.kind == .set && $0.outcome == .failed }.compactMap(\.value))
            for read in operations where read.kind == .get && read.isAcknowledged {
                checkRead(read, timeline, failedValues, into: &report)
            }
            guard let replicas = finalState[key] else {
                if !timeline.writes.isEmpty { report.uncheckedKeys.append(key) }
                continue
            }
            checkFinal(key, replicas, timeline, failedValues, into: &report)
        }
        return report
    }

    static func counts(_ history: [Operation], _ finalState: FinalState) -> CheckReport.Counts {
        var counts = CheckReport.Counts()
        counts.operations = history.count
        counts.acknowledged = history.count { $0.outcome == .ok }
        counts.failed = history.count { $0.outcome == .failed }
        counts.unknown = history.count { $0.outcome == .unknown }
        counts.reads = history.count { $0.kind == .get }
        counts.writes = history.count(where: \.isWrite)
        counts.keys = Set(history.filter { $0.kind != .flush }.map(\.key)).union(finalState.keys).count
        counts.replicaCopies = finalState.values.reduce(0) { $0 + $1.count }
        return counts
    }

    private static func checkRead(_ read: Operation, _ timeline: KeyTimeline, _ failedValues: Set<String>, into report: inout CheckReport) {
        guard let value = read.value else {
            if !timeline.absentMayBeRead(readInvoke: read.invokeMillis, readComplete: read.completeMillis) {
                report.staleReads.append(.init(key: read.key, operation: read.index, returned: nil,
                                               newerWrite: newerWrite(than: -.infinity, before: read.invokeMillis, timeline)))
            }
            return
        }
        guard let write = timeline.set(writing: value) else {
            let reason = failedValues.contains(value) ? "written only by a failed operation" : "never written to this key"
            report.phantoms.append(.init(key: read.key, value: value, operation: read.index, replica: nil, reason: reason))
            return
        }
        if write.invokeMillis > read.completeMillis {
            report.phantoms.append(.init(key: read.key, value: value, operation: read.index, replica: nil,
                                         reason: "written by operation \(write.index), invoked after the read completed"))
        } else if !timeline.mayBeRead(write, byReadInvokedAt: read.invokeMillis) {
            report.staleReads.append(.init(key: read.key, operation: read.index, returned: value,
                                           newerWrite: newerWrite(than: KeyTimeline.effectiveEnd(of: write), before: read.invokeMillis, timeline)))
        }
    }

    private static func checkFinal(
        _ key: String, _ replicas: [String: String?], _ timeline: KeyTimeline, _ failedValues: Set<String>,
        into report: inout CheckReport
    ) {
        let allowed = allowedFinal(timeline)
        func lost(_ replica: String, _ held: String?) {
            let finding = CheckReport.LostWrite(key: key, replica: replica, held: held, allowed: allowed)
            if !report.lostUpdatesAreErrors && isLostUpdate(held: held, replicas: replicas, timeline) {
                report.lostUpdates.append(finding)
            } else {
                report.lostWrites.append(finding)
            }
        }
        for (replica, held) in replicas.sorted(by: { $0.key < $1.key }) {
            guard let held else {
                if !timeline.absentMayBeFinal { lost(replica, nil) }
                continue
            }
            guard let write = timeline.set(writing: held) else {
                let reason = failedValues.contains(held) ? "written only by a failed operation" : "never written to this key"
                report.phantoms.append(.init(key: key, value: held, operation: nil, replica: replica, reason: reason))
                continue
            }
            if !timeline.mayBeFinal(write) { lost(replica, held) }
        }
        if Set(replicas.values).count > 1 {
            report.divergences.append(.init(key: key, replicas: replicas))
        }
    }

    /// What a replica of the key may finally hold; nil stands for nothing.
    static func allowedFinal(_ timeline: KeyTimeline) -> [String?] {
        var allowed: [String?] = timeline.writes.filter { $0.kind == .set && timeline.mayBeFinal($0) }.map(\.value)
        if timeline.absentMayBeFinal { allowed.append(nil) }
        return allowed
    }

    /// An acknowledged write that started after `end` and completed before `time`: the witness
    /// that a read at `time` was stale. -1 if none (cannot happen when staleness was found).
    private static func newerWrite(than end: Double, before time: Double, _ timeline: KeyTimeline) -> Int {
        timeline.writes.first { $0.isAcknowledged && $0.invokeMillis > end && $0.completeMillis < time }?.index ?? -1
    }
}
