import RingtailModel
import RingtailReplication
import Testing

@Suite struct PartitionCustodyTests {
    typealias Exchange = PartitionCustody.Exchange
    let a = Fixtures.a, b = Fixtures.b, c = Fixtures.c

    @Test func aFoundingNodeIsReadyAndAJoiningOneFills() {
        let founder = PartitionCustody(partitionCount: 4, replicated: [0, 1, 2, 3], startsReady: true)
        #expect((0..<4).allSatisfy(founder.isComplete))
        let joiner = PartitionCustody(partitionCount: 4, replicated: [0, 1, 2, 3], startsReady: false)
        #expect((0..<4).allSatisfy { joiner.state(of: $0) == .filling && !joiner.isComplete($0) })
        #expect(joiner.counts == (filling: 4, ready: 0, handingOff: 0))
    }

    struct RingChange: Sendable, CustomTestStringConvertible {
        var name: String
        var before: PartitionCustody.State
        var replicates: Bool
        var sole: Bool
        var after: PartitionCustody.State
        var testDescription: String { name }
    }

    static let ringChanges: [RingChange] = [
        RingChange(name: "gained: fill", before: .none, replicates: true, sole: false, after: .filling),
        RingChange(name: "gained as the sole replica: ready", before: .none, replicates: true, sole: true, after: .ready),
        RingChange(name: "regained while handing off: fill again", before: .handingOff(complete: true), replicates: true, sole: false, after: .filling),
        RingChange(name: "filling, now sole: ready", before: .filling, replicates: true, sole: true, after: .ready),
        RingChange(name: "filling stays filling", before: .filling, replicates: true, sole: false, after: .filling),
        RingChange(name: "ready stays ready", before: .ready, replicates: true, sole: false, after: .ready),
        RingChange(name: "ready, lost: hand off a complete copy", before: .ready, replicates: false, sole: false, after: .handingOff(complete: true)),
        RingChange(name: "filling, lost: hand off an incomplete copy", before: .filling, replicates: false, sole: false, after: .handingOff(complete: false)),
        RingChange(name: "none stays none", before: .none, replicates: false, sole: false, after: .none),
    ]

    @Test(arguments: ringChanges) func ringChange(_ row: RingChange) {
        var custody = Self.custody(in: row.before)
        custody.ringChanged(replicated: row.replicates ? [0] : [], soleReplica: { _ in row.sole })
        #expect(custody.state(of: 0) == row.after)
    }

    struct Fill: Sendable, CustomTestStringConvertible {
        var name: String
        var exchanges: [Exchange]
        var candidates: [NodeID]
        var ready: Bool
        var testDescription: String { name }
    }

    static let fills: [Fill] = [
        Fill(name: "in sync with a complete peer", exchanges: [Exchange(peer: Fixtures.b, inSync: true, peerComplete: true)], candidates: [Fixtures.b, Fixtures.c], ready: true),
        Fill(name: "repaired, not yet in sync", exchanges: [Exchange(peer: Fixtures.b, inSync: false, peerComplete: true)], candidates: [Fixtures.b, Fixtures.c], ready: false),
        Fill(name: "in sync with a peer that is filling too", exchanges: [Exchange(peer: Fixtures.b, inSync: true, peerComplete: false)], candidates: [Fixtures.b, Fixtures.c], ready: false),
        Fill(name: "in sync with every candidate, none complete (fresh cluster)",
             exchanges: [Exchange(peer: Fixtures.b, inSync: true, peerComplete: false), Exchange(peer: Fixtures.c, inSync: true, peerComplete: false)],
             candidates: [Fixtures.b, Fixtures.c], ready: true),
        Fill(name: "one candidate out of sync",
             exchanges: [Exchange(peer: Fixtures.b, inSync: true, peerComplete: false), Exchange(peer: Fixtures.c, inSync: false, peerComplete: false)],
             candidates: [Fixtures.b, Fixtures.c], ready: false),
        Fill(name: "one candidate not reached", exchanges: [Exchange(peer: Fixtures.b, inSync: true, peerComplete: false)], candidates: [Fixtures.b, Fixtures.c], ready: false),
        Fill(name: "no candidates, no exchanges: wait", exchanges: [], candidates: [], ready: false),
    ]

    @Test(arguments: fills) func filling(_ row: Fill) {
        var custody = Self.custody(in: .filling)
        do {
            let decided = custody.fillingExchanged(0, row.exchanges, candidates: row.candidates)
            #expect(decided == row.ready)
        }
        #expect(custody.state(of: 0) == (row.ready ? .ready : .filling))
        #expect(custody.isComplete(0) == row.ready)
    }

    @Test func aHandedOffPartitionIsDroppedOnceEveryCurrentReplicaIsCompleteAndInSync() {
        var custody = Self.custody(in: .handingOff(complete: true))
        let replicas = [b, c]
        do {
            let decided = custody.handoffExchanged(0, Exchange(peer: b, inSync: true, peerComplete: true), currentReplicas: replicas, holdsNothing: false)
            #expect(!decided)
        }
        // c is still filling: in sync is not enough, it may not have the rest yet.
        do {
            let decided = custody.handoffExchanged(0, Exchange(peer: c, inSync: true, peerComplete: false), currentReplicas: replicas, holdsNothing: false)
            #expect(!decided)
        }
        // c out of sync (this copy pushed something): not yet.
        do {
            let decided = custody.handoffExchanged(0, Exchange(peer: c, inSync: false, peerComplete: true), currentReplicas: replicas, holdsNothing: false)
            #expect(!decided)
        }
        // A node that is no replica does not confirm.
        do {
            let decided = custody.handoffExchanged(0, Exchange(peer: a, inSync: true, peerComplete: true), currentReplicas: replicas, holdsNothing: false)
            #expect(!decided)
        }
        do {
            let decided = custody.handoffExchanged(0, Exchange(peer: c, inSync: true, peerComplete: true), currentReplicas: replicas, holdsNothing: false)
            #expect(decided)
        }
        #expect(custody.isComplete(0), "still served until the shell dropped it")
        custody.dropped(0)
        #expect(custody.state(of: 0) == .none)
    }

    @Test func aRingChangeForgetsConfirmations() {
        var custody = Self.custody(in: .handingOff(complete: true))
        do {
            let decided = custody.handoffExchanged(0, Exchange(peer: b, inSync: true, peerComplete: true), currentReplicas: [b, c], holdsNothing: false)
            #expect(!decided)
        }
        custody.ringChanged(replicated: [], soleReplica: { _ in false })
        let decided = custody.handoffExchanged(0, Exchange(peer: c, inSync: true, peerComplete: true), currentReplicas: [b, c], holdsNothing: false)
        #expect(!decided, "b must confirm again: the replicas may have changed")
    }

    @Test func anEmptyCompleteCopyWaitsForTheFillers() {
        var custody = Self.custody(in: .handingOff(complete: true))
        do {
            let decided = custody.handoffExchanged(0, nil, currentReplicas: [b], holdsNothing: true)
            #expect(!decided, "the fillers need a complete copy to be in sync with")
        }
        let decided = custody.handoffExchanged(0, Exchange(peer: b, inSync: true, peerComplete: true), currentReplicas: [b], holdsNothing: true)
        #expect(decided)
    }

    @Test func anEmptyIncompleteCopyIsDroppedAtOnceAndOnlyHandedOffCopiesAreDropped() {
        var handing = Self.custody(in: .handingOff(complete: false))
        do {
            let decided = handing.handoffExchanged(0, nil, currentReplicas: [b], holdsNothing: true)
            #expect(decided)
        }
        var ready = Self.custody(in: .ready)
        do {
            let decided = ready.handoffExchanged(0, nil, currentReplicas: [b], holdsNothing: true)
            #expect(!decided)
        }
        ready.dropped(0)
        #expect(ready.state(of: 0) == .ready)
    }

    @Test func strayDataInAPartitionNotReplicatedIsHandedOff() {
        var none = Self.custody(in: .none)
        let changed = none.foundStrayData(0)
        #expect(changed)
        #expect(none.state(of: 0) == .handingOff(complete: false))
        #expect(!none.isComplete(0), "a stray copy is no fill source")
        var ready = Self.custody(in: .ready)
        let unchanged = ready.foundStrayData(0)
        #expect(!unchanged)
        #expect(ready.state(of: 0) == .ready)
    }

    @Test func onlyReadyAndCompleteHandoffsAreComplete() {
        #expect(Self.custody(in: .ready).isComplete(0))
        #expect(Self.custody(in: .handingOff(complete: true)).isComplete(0))
        #expect(!Self.custody(in: .handingOff(complete: false)).isComplete(0))
        #expect(!Self.custody(in: .filling).isComplete(0))
        #expect(!Self.custody(in: .none).isComplete(0))
    }

    /// A one-partition custody in `state`, reached through the public transitions.
    static func custody(in state: PartitionCustody.State) -> PartitionCustody {
        switch state {
        case .none: return PartitionCustody(partitionCount: 1, replicated: [], startsReady: true)
        case .filling: return PartitionCustody(partitionCount: 1, replicated: [0], startsReady: false)
        case .ready: return PartitionCustody(partitionCount: 1, replicated: [0], startsReady: true)
        case .handingOff(let complete):
            var custody = PartitionCustody(partitionCount: 1, replicated: [0], startsReady: complete)
            custody.ringChanged(replicated: [], soleReplica: { _ in false })
            return custody
        }
    }
}
