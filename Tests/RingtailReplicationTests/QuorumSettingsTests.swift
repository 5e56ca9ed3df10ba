import RingtailReplication
import Testing

@Suite struct QuorumSettingsTests {
    /// The bare rule, as etcd's raft tests its vote counting: (required, successes,
    /// outstanding) → status.
    @Test(arguments: [
        (1, 0, 3, QuorumStatus.pending),
        (1, 1, 2, .won),
        (2, 1, 1, .pending),
        (2, 1, 0, .lost),
        (2, 0, 1, .lost),
        (2, 2, 0, .won),
        (3, 2, 1, .pending),
        (3, 0, 3, .pending),
        (3, 0, 2, .lost),
        (3, 3, 0, .won),
        (3, 4, 0, .won),
    ])
    func evaluate(required: Int, successes: Int, outstanding: Int, expected: QuorumStatus) {
        #expect(QuorumStatus.evaluate(required: required, successes: successes, outstanding: outstanding) == expected)
    }

    @Test(arguments: [
        (3, 2, 2, QuorumConsistency.strong),
        (3, 1, 3, .strong),
        (3, 3, 1, .strong),
        (3, 1, 1, .eventual),
        (3, 2, 1, .eventual),
        (5, 3, 3, .strong),
        (5, 2, 3, .eventual),
        (1, 1, 1, .strong),
    ])
    func consistencyOfDefaults(replicas: Int, write: Int, read: Int, expected: QuorumConsistency) throws {
        let settings = try QuorumSettings(replicas: replicas, writeQuorum: write, readQuorum: read)
        #expect(settings.consistency == expected)
        #expect(settings.consistency(read: read, write: write) == expected)
    }

    @Test(arguments: [
        (0, 1, 1, "replica count must be at least 1, got 0"),
        (3, 0, 2, "write quorum must be at least 1, got 0"),
        (3, 4, 2, "write quorum of 4 exceeds the 3 replicas available"),
        (3, 2, 0, "read quorum must be at least 1, got 0"),
        (3, 2, 5, "read quorum of 5 exceeds the 3 replicas available"),
    ])
    func invalidSettingsAreRefused(replicas: Int, write: Int, read: Int, message: String) {
        do {
            let settings = try QuorumSettings(replicas: replicas, writeQuorum: write, readQuorum: read)
            Issue.record("accepted \(settings)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test(arguments: [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3)])
    func majority(replicas: Int, quorum: Int) throws {
        let settings = try QuorumSettings.majority(replicas: replicas)
        #expect(settings.writeQuorum == quorum)
        #expect(settings.readQuorum == quorum)
        #expect(settings.consistency == .strong)
    }

    /// Overrides: nil keeps the default, anything outside 1...N is refused.
    @Test(arguments: [
        (nil, 2 as Int?),
        (1, 1),
        (3, 3),
        (0, nil),
        (4, nil),
    ] as [(Int?, Int?)])
    func perRequestOverrides(override: Int?, expected: Int?) throws {
        let settings = try QuorumSettings(replicas: 3, writeQuorum: 2, readQuorum: 2)
        #expect((try? settings.writeQuorum(override: override)) == expected)
        #expect((try? settings.readQuorum(override: override)) == expected)
    }

    @Test func overrideErrorNamesTheKind() throws {
        let settings = try QuorumSettings(replicas: 3, writeQuorum: 2, readQuorum: 2)
        #expect(throws: QuorumError.quorumOutOfRange(.read, required: 4, replicas: 3)) {
            try settings.readQuorum(override: 4)
        }
        #expect(throws: QuorumError.quorumOutOfRange(.write, required: 0, replicas: 3)) {
            try settings.writeQuorum(override: 0)
        }
        #expect(settings.description == "N=3 W=2 R=2 (strong)")
    }
}
