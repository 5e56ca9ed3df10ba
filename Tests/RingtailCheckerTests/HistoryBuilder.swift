import Testing
import RingtailChecker
import RingtailModel

/// Builds histories by hand, one line per operation, with times in milliseconds:
/// `.set("k", "a", 0...2)` is a set of `k` to `a` invoked at 0 and acknowledged at 2.
struct Step: Sendable {
    var kind: OperationKind
    var key: String
    var value: String?
    var span: ClosedRange<Double>
    var outcome: Outcome
    var client: Int
    /// For a set: the HLC time (ms) of the version the cluster stored it under, if known.
    var version: UInt64?

    static func set(
        _ key: String, _ value: String, _ span: ClosedRange<Double>, _ outcome: Outcome = .ok, client: Int = 0, version: UInt64? = nil
    ) -> Step {
        Step(kind: .set, key: key, value: value, span: span, outcome: outcome, client: client, version: version)
    }

    static func delete(_ key: String, _ span: ClosedRange<Double>, _ outcome: Outcome = .ok, client: Int = 0) -> Step {
        Step(kind: .delete, key: key, value: nil, span: span, outcome: outcome, client: client)
    }

    /// FLUSHALL: every key deleted at once.
    static func flush(_ span: ClosedRange<Double>, _ outcome: Outcome = .ok, client: Int = 3) -> Step {
        Step(kind: .flush, key: Operation.everyKey, value: nil, span: span, outcome: outcome, client: client)
    }

    /// A get that returned `value` (nil: not found).
    static func get(_ key: String, _ value: String?, _ span: ClosedRange<Double>, _ outcome: Outcome = .ok, client: Int = 1) -> Step {
        Step(kind: .get, key: key, value: value, span: span, outcome: outcome, client: client)
    }
}

func history(_ steps: [Step]) -> [Operation] {
    steps.enumerated().map { index, step in
        Operation(index: index, client: step.client, kind: step.kind, key: step.key, value: step.value,
                  version: step.version.map { Version(timestamp: HLCTimestamp(physicalMillis: $0, logical: 0), node: NodeTag(rawValue: 1)) },
                  invokeMillis: step.span.lowerBound, completeMillis: step.span.upperBound, outcome: step.outcome)
    }
}

/// The same value (nil: nothing) on replicas a, b and c.
func everywhere(_ value: String?) -> [String: String?] {
    ["a": value, "b": value, "c": value]
}

/// A named scenario: history, final state, and what the checker must find.
struct Scenario: Sendable, CustomTestStringConvertible {
    var name: String
    var steps: [Step]
    var final: FinalState
    var lost = 0
    var phantoms = 0
    var divergent = 0
    var stale = 0

    var testDescription: String { name }
}
