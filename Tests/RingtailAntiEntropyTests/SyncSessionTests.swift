import RingtailAntiEntropy
import RingtailModel
import Testing

/// Whole sessions between two in-memory replicas, the shell played by `SessionDriver`.
@Suite struct SyncSessionTests {
    static let now: UInt64 = 5_000_000

    /// Two replicas that share 2000 keys and then diverged every way there is.
    static func divergedPair() -> (TestReplica, TestReplica) {
        var a = TestReplica("a")
        var b = TestReplica("b")
        for index in 0..<2000 {
            a.write("common-\(index)", at: 1000 + UInt64(index))
            b.write("common-\(index)", at: 1000 + UInt64(index))
        }
        for index in 0..<300 { a.write("only-a-\(index)", at: 10_000) }
        for index in 0..<200 { b.write("only-b-\(index)", at: 10_000) }
        for index in 0..<100 { a.write("common-\(index)", at: 20_000, node: Fixtures.nodeA) }
        for index in 100..<200 { b.write("common-\(index)", at: 20_000, node: Fixtures.nodeB) }
        for index in 200..<250 { a.delete("common-\(index)", at: now - 1000) }
        for index in 250..<300 { b.delete("common-\(index)", at: now - 1000) }
        // Deleted on one side, rewritten later on the other: the value must win.
        for index in 300..<320 {
            a.delete("common-\(index)", at: now - 2000)
            b.write("common-\(index)", at: now - 1500, node: Fixtures.nodeB)
        }
        for index in 0..<40 { a.write("ttl-\(index)", at: 30_000, expiresAt: now + 60_000) }
        return (a, b)
    }

    @Test func oneSessionPerPartitionConverges() {
        var (a, b) = Self.divergedPair()
        for p in 0..<a.partitionCount {
            let session = SessionDriver.run(&a, with: &b, partition: p, now: Self.now)
            #expect(session.outcome == .repaired)
        }
        #expect(a.roots() == b.roots())
        #expect(a.knownVersions() == b.knownVersions())
        #expect(a.treesMatchContents() && b.treesMatchContents())
        for p in 0..<a.partitionCount {
            let again = SessionDriver.run(&b, with: &a, partition: p, now: Self.now)
            #expect(again.outcome == .inSync)
            #expect(again.statistics.totalBytes == WireCost.digestBytes)
        }
    }

    @Test func lastWriterWinsEverywhere() {
        var (a, b) = Self.divergedPair()
        _ = SessionDriver.converge(&a, &b, now: Self.now)
        let known = a.knownVersions()
        #expect(known[Fixtures.key("common-5")] == .value(Fixtures.version(20_000, Fixtures.nodeA)))
        #expect(known[Fixtures.key("common-150")] == .value(Fixtures.version(20_000, Fixtures.nodeB)))
        #expect(known[Fixtures.key("common-220")] == .tombstone(Fixtures.version(Self.now - 1000)))
        #expect(known[Fixtures.key("common-270")] == .tombstone(Fixtures.version(Self.now - 1000)))
        #expect(known[Fixtures.key("common-310")] == .value(Fixtures.version(Self.now - 1500, Fixtures.nodeB)))
        #expect(b.store[Fixtures.key("ttl-3")]?.expiresAtMillis == Self.now + 60_000)
        // 300 + 200 missing keys, 200 updates, 40 TTL keys moved with values; tombstones as lines.
        #expect(a.valuesReceived.count + b.valuesReceived.count == 300 + 200 + 100 + 100 + 20 + 40)
    }

    @Test(arguments: [(keys: 30, bytes: 1 << 30), (keys: 1 << 30, bytes: 6000)])
    func budgetsHoldInEverySessionAndRepairContinuesNextTime(keys: Int, bytes: Int) {
        var a = TestReplica("a", partitionBits: 0)
        var b = TestReplica("b", partitionBits: 0)
        for index in 0..<200 { a.write("k-\(index)", at: 100) }
        let settings = SyncSettings(maxKeysPerSession: keys, maxBytesPerSession: bytes, maxBucketsPerRequest: 16)
        var sessions: [PartitionSyncSession] = []
        while sessions.count < 100 {
            let session = SessionDriver.run(&a, with: &b, partition: 0, settings: settings, now: 1000)
            sessions.append(session)
            #expect(session.statistics.keysRepaired <= keys)
            #expect(session.statistics.totalBytes <= bytes)
            if session.outcome != .budgetExhausted { break }
        }
        #expect(sessions.last?.outcome == .repaired)
        #expect(sessions.count > 2)
        #expect(sessions.reduce(0) { $0 + $1.statistics.keysSent } == 200)
        #expect(a.roots() == b.roots())
        print("[anti-entropy] budget keys \(keys == 1 << 30 ? "∞" : "\(keys)"), bytes \(bytes == 1 << 30 ? "∞" : "\(bytes)"): 200 keys in \(sessions.count) sessions")
    }

    @Test func theFirstTransferAlwaysGoesSoALargeValueCannotStallRepair() {
        var a = TestReplica("a", partitionBits: 0)
        var b = TestReplica("b", partitionBits: 0)
        a.write("big", at: 1, bytes: 1_000_000)
        let session = SessionDriver.run(&a, with: &b, partition: 0, settings: SyncSettings(maxBytesPerSession: 10_000), now: 10)
        #expect(session.outcome == .repaired)
        #expect(a.roots() == b.roots())
    }

    /// A peer of another entry-digest format: every digest over entries differs, the empty
    /// ones do not. Its sessions list every bucket holding keys, move nothing and end agreed
    /// (which the node counts as in sync); a real difference is still repaired through it.
    @Test func aPeerWithOtherDigestsButTheSameEntriesAgrees() {
        var a = TestReplica("a", partitionBits: 0)
        var b = TestReplica("b", partitionBits: 0)
        for index in 0..<200 {
            a.write("k-\(index)", at: 100 + UInt64(index))
            b.write("k-\(index)", at: 100 + UInt64(index))
        }
        let otherFormat: (MerkleDigest) -> MerkleDigest = { $0 == .zero ? $0 : MerkleDigest(low: ~$0.low, high: $0.high) }
        let agreed = SessionDriver.run(&a, with: &b, partition: 0, now: 1000, peerDigests: otherFormat)
        #expect(agreed.outcome == .agreed)
        #expect(agreed.statistics.keysRepaired == 0 && agreed.statistics.listedEntries == 200)
        // With the peer's own digests the trees are equal: in sync at the root.
        #expect(SessionDriver.run(&a, with: &b, partition: 0, now: 1000).outcome == .inSync)
        b.write("k-7", at: 5000, node: Fixtures.nodeB)
        let repaired = SessionDriver.run(&a, with: &b, partition: 0, now: 1000, peerDigests: otherFormat)
        #expect(repaired.outcome == .repaired && repaired.statistics.keysFetched == 1)
        #expect(a.roots() == b.roots())
    }

    @Test func aPeerWithAnotherLayoutIsRefused() {
        var tree = PartitionTree(partition: 0)
        var session = PartitionSyncSession(partition: 0, local: tree.snapshot())
        #expect(session.start() == [.requestSummary(partition: 0)])
        let other = MerkleLayout(fanOutBits: 4, depth: 2)
        let out = session.handle(.summary(TreeSummary(layout: other, root: .zero, acceptsValues: true)))
        #expect(out == [.finished(partition: 0, .layoutMismatch(other))])
    }

    @Test func failuresAndStrayEventsEndTheSession() {
        var tree = PartitionTree(partition: 3)
        var failing = PartitionSyncSession(partition: 3, local: tree.snapshot())
        _ = failing.start()
        #expect(failing.handle(.failed("timeout")) == [.finished(partition: 3, .failed("timeout"))])
        #expect(failing.handle(.nodes([])) == [])

        var confused = PartitionSyncSession(partition: 3, local: tree.snapshot())
        _ = confused.start()
        #expect(confused.handle(.nodes([.zero])) == [.finished(partition: 3, .failed("unexpected nodes"))])

        var short = PartitionSyncSession(partition: 3, local: tree.snapshot())
        _ = short.start()
        let out = short.handle(.summary(TreeSummary(layout: .default, root: MerkleDigest(low: 1, high: 2), acceptsValues: true)))
        #expect(out == [.requestNodes(partition: 3, NodeRequest(level: 1, indices: Array(0..<32)))])
        #expect(short.handle(.nodes([.zero])).last == .finished(partition: 3, .failed("expected 32 digests, got 1")))
    }

    @Test func writesRacingASessionAreLeftForTheNextOne() {
        var (a, b) = Self.divergedPair()
        // The peer moves on after the initiator's snapshot: the session still ends cleanly.
        var session = PartitionSyncSession(partition: 0, local: a.trees[0].snapshot())
        var queue = session.start()
        var raced = false
        while !queue.isEmpty {
            switch queue.removeFirst() {
            case .requestSummary:
                queue += session.handle(.summary(b.trees[0].summary(acceptsValues: true)))
            case .requestNodes(_, let request):
                if !raced {
                    for index in 0..<50 { b.write("late-\(index)", at: Self.now) }
                    raced = true
                }
                queue += session.handle(.nodes(b.trees[0].nodes(level: request.level, indices: request.indices)))
            case .requestBuckets(_, let buckets):
                let local = buckets.map { BucketListing(bucket: $0, entries: a.listing(partition: 0, bucket: $0, now: Self.now)) }
                let remote = buckets.map { BucketListing(bucket: $0, entries: b.listing(partition: 0, bucket: $0, now: Self.now)) }
                queue += session.handle(.buckets(local: local, remote: remote, nowMillis: Self.now))
            default:
                break
            }
        }
        #expect(session.isFinished)
        _ = SessionDriver.converge(&a, &b, now: Self.now)
        #expect(a.roots() == b.roots())
    }
}
