/// The writes of one key, indexed so the checker can ask "which acknowledged write started
/// last among those finished before time t" in O(log n).
///
/// The real-time order this rests on: write A precedes write B when A completed before B was
/// invoked. Writes that overlap are concurrent and either may win; an `unknown` write may land
/// at any time, so it never completes (`+∞`) and is never superseded.
struct KeyTimeline {
    /// Writes that may have taken effect: acknowledged or unknown, never `failed`.
    let writes: [Operation]
    /// The latest invocation among all acknowledged writes, or nil when there are none.
    let lastAcknowledgedInvoke: Double?
    /// Sets by the value they wrote (values are unique per write).
    private let setsByValue: [String: Operation]
    /// Acknowledged writes by completion time, with the running maximum of their invocations.
    private let completions: [Double]
    private let maxInvokeUpTo: [Double]

    init(writes operations: [Operation]) {
        writes = operations.filter { $0.isWrite && $0.outcome != .failed }
        setsByValue = Dictionary(
            writes.compactMap { write in write.kind == .set ? write.value.map { ($0, write) } : nil },
            uniquingKeysWith: { first, _ in first }
        )
        let acknowledged = writes.filter(\.isAcknowledged).sorted { $0.completeMillis < $1.completeMillis }
        completions = acknowledged.map(\.completeMillis)
        var running = -Double.infinity
        maxInvokeUpTo = acknowledged.map { running = max(running, $0.invokeMillis); return running }
        lastAcknowledgedInvoke = acknowledged.isEmpty ? nil : running
    }

    /// The latest invocation among acknowledged writes that completed strictly before `time`.
    func latestInvokeCompletedBefore(_ time: Double) -> Double? {
        var low = 0
        var high = completions.count
        while low < high {
            let mid = (low + high) / 2
            if completions[mid] < time { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : maxInvokeUpTo[low - 1]
    }

    /// When a write stops counting as a possible current value: its completion, or never for
    /// an unknown outcome (it may still land).
    static func effectiveEnd(of write: Operation) -> Double {
        write.outcome == .unknown ? .infinity : write.completeMillis
    }

    /// Whether `write` may be what a replica finally holds: no acknowledged write started after
    /// it completed.
    func mayBeFinal(_ write: Operation) -> Bool {
        guard let last = lastAcknowledgedInvoke else { return true }
        return !(last > Self.effectiveEnd(of: write))
    }

    /// Whether "nothing" may be what a replica finally holds: a delete may be final, or no write
    /// was ever acknowledged (the initial, empty state was never superseded).
    var absentMayBeFinal: Bool {
        lastAcknowledgedInvoke == nil || writes.contains { $0.kind == .delete && mayBeFinal($0) }
    }

    /// Whether a read invoked at `readInvoke` may legitimately return what `write` produced:
    /// no acknowledged write started after `write` completed and itself completed before the
    /// read began.
    func mayBeRead(_ write: Operation, byReadInvokedAt readInvoke: Double) -> Bool {
        guard let latest = latestInvokeCompletedBefore(readInvoke) else { return true }
        return !(latest > Self.effectiveEnd(of: write))
    }

    /// Whether "not found" is a legitimate answer for a read spanning `readInvoke...readComplete`.
    func absentMayBeRead(readInvoke: Double, readComplete: Double) -> Bool {
        if latestInvokeCompletedBefore(readInvoke) == nil { return true }
        return writes.contains {
            $0.kind == .delete && $0.invokeMillis <= readComplete && mayBeRead($0, byReadInvokedAt: readInvoke)
        }
    }

    /// The set that produced `value`, if any write in this key's history did.
    func set(writing value: String) -> Operation? {
        setsByValue[value]
    }
}
