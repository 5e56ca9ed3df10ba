import RingtailAntiEntropy
import RingtailModel
import Testing

/// Eviction is local: a replica short of memory must not be streamed what it just evicted,
/// session after session.
@Suite struct EvictionTests {
    static let now: UInt64 = 10_000_000

    /// `a` holds everything; `b` has room for 300 of the 1000 keys both were written.
    static func pair(eviction: EvictionSettings = EvictionSettings(retentionMillis: 3_600_000, maxGhosts: 4096)) -> (TestReplica, TestReplica) {
        var a = TestReplica("a", eviction: eviction)
        var b = TestReplica("b", eviction: eviction, capacity: 300)
        for index in 0..<1000 {
            a.write("k-\(index)", at: 1000 + UInt64(index))
            b.write("k-\(index)", at: 1000 + UInt64(index))
        }
        return (a, b)
    }

    static func valueBytes(_ sessions: [PartitionSyncSession]) -> Int {
        sessions.reduce(0) { $0 + $1.statistics.valueBytes }
    }

    /// One session per partition, each replica starting every other round.
    static func round(_ a: inout TestReplica, _ b: inout TestReplica, number: Int, now: UInt64) -> [PartitionSyncSession] {
        (0..<a.partitionCount).map { p in
            number % 2 == 0
                ? SessionDriver.run(&a, with: &b, partition: p, now: now)
                : SessionDriver.run(&b, with: &a, partition: p, now: now)
        }
    }

    @Test func evictedKeysStayInTheTreeAndAreNotStreamedBack() {
        var (a, b) = Self.pair()
        #expect(b.valueCount == 300 && b.ghostCount == 700)
        #expect(a.roots() == b.roots())
        #expect(b.treesMatchContents())
        for number in 0..<5 {
            let sessions = Self.round(&a, &b, number: number, now: Self.now)
            #expect(sessions.allSatisfy { $0.outcome == .inSync })
            #expect(Self.valueBytes(sessions) == 0)
        }
        #expect(b.valuesReceived.isEmpty)
    }

    /// Why ghosts: without them every session streams the evicted keys again, and the replica
    /// evicts them again.
    @Test func withoutGhostsEverySessionStreamsTheEvictionsAgain() {
        var (a, b) = Self.pair(eviction: .disabled)
        var streamed: [Int] = []
        for number in 0..<4 {
            streamed.append(Self.valueBytes(Self.round(&a, &b, number: number, now: Self.now)))
        }
        #expect(streamed.allSatisfy { $0 >= 600 * 100 })
        #expect(b.valuesReceived.values.contains { $0 >= 2 })
        print("[anti-entropy] 1000 keys, 300 fit on b, no ghosts: value bytes per round \(streamed)")
    }

    @Test func aReplicaShortOfMemoryTakesMissedWritesAsGhosts() {
        var (a, b) = Self.pair()
        b.refusesValues = true
        for index in 0..<100 { a.write("new-\(index)", at: 50_000) }
        // Either side may start: no value moves, the trees end equal.
        let first = Self.round(&a, &b, number: 0, now: Self.now)
        #expect(Self.valueBytes(first) == 0)
        #expect(first.reduce(0) { $0 + $1.statistics.keysSent } == 100)
        #expect(a.roots() == b.roots())
        for index in 100..<200 { a.write("new-\(index)", at: 50_000) }
        let second = Self.round(&a, &b, number: 1, now: Self.now)
        #expect(Self.valueBytes(second) == 0)
        #expect(second.reduce(0) { $0 + $1.statistics.keysAdopted } == 100)
        #expect(a.roots() == b.roots())
        #expect(b.ghostCount == 900 && b.valueCount == 300)
        #expect(b.treesMatchContents())
    }

    @Test func aNewerWriteReplacesTheGhostAndAnOlderOneLosesToIt() {
        var (a, b) = Self.pair()
        let key = Fixtures.key("k-0")  // written first, so evicted first
        #expect(b.store[key] == nil && b.knownVersions()[key] == .value(Fixtures.version(1000)))
        let olderApplied = b.put(key, .value(Fixtures.version(999)), now: Self.now)
        #expect(!olderApplied)
        b.write("k-0", at: 2_000_000)
        a.write("k-0", at: 2_000_000)
        #expect(b.store[key]?.version == Fixtures.version(2_000_000))
        #expect(b.ghostCount == 700)  // k-0's ghost left; the write evicted another key
        #expect(b.treesMatchContents())
        #expect(a.roots() == b.roots())
    }

    @Test func ghostsEndWithTheirTTLAlongWithThePeersValue() {
        var a = TestReplica("a")
        var b = TestReplica("b", capacity: 10)
        for index in 0..<50 {
            a.write("t-\(index)", at: 1000, expiresAt: 100_000)
            b.write("t-\(index)", at: 1000, expiresAt: 100_000)
        }
        #expect(b.ghostCount == 40)
        a.sweep(now: 100_000)
        b.sweep(now: 100_000)
        #expect(b.ghostCount == 0 && a.store.isEmpty && b.store.isEmpty)
        #expect(a.roots() == b.roots())
        var empty = TestReplica("empty")
        #expect(a.roots() == empty.roots())
    }

    /// After `retentionMillis` a ghost is dropped; a replica with room then takes the key back
    /// once (and may evict it again, keeping a fresh ghost): one re-stream per retention period.
    @Test func afterRetentionAKeyComesBackAtMostOnce() {
        var (a, b) = Self.pair(eviction: EvictionSettings(retentionMillis: 60_000, maxGhosts: 4096))
        b.sweep(now: 2000 + 60_000)
        #expect(b.ghostCount == 0)
        var streamed: [Int] = []
        for number in 0..<4 {
            streamed.append(Self.valueBytes(Self.round(&a, &b, number: number, now: 70_000)))
        }
        #expect(streamed[0] == 700 * 100)
        #expect(streamed.dropFirst().allSatisfy { $0 == 0 })
        #expect(b.valuesReceived.values.allSatisfy { $0 == 1 })
        #expect(a.roots() == b.roots())
    }

    @Test func theGhostBudgetDropsTheOldestFirst() {
        var replica = TestReplica("b", partitionBits: 0, eviction: EvictionSettings(retentionMillis: 3_600_000, maxGhosts: 50), capacity: 100)
        for index in 0..<300 { replica.write("k-\(index)", at: 1000 + UInt64(index)) }
        #expect(replica.ghostCount == 50)
        let known = replica.knownVersions()
        #expect(known[Fixtures.key("k-149")] == nil)
        #expect(known[Fixtures.key("k-150")] != nil)
        #expect(replica.treesMatchContents())
        let statistics = replica.trees[0].statistics()
        #expect(statistics.keyCount == 150 && statistics.ghostCount == 50)
    }

    @Test func ghostsStayConsistentThroughLongChurn() {
        var replica = TestReplica("b", partitionBits: 0, eviction: EvictionSettings(retentionMillis: 3_600_000, maxGhosts: 100), capacity: 10)
        for index in 0..<3000 {
            replica.write("k-\(index)", at: 1000 + UInt64(index))
            // Rewriting a key that was just evicted takes its ghost out of the middle of the order.
            if index % 7 == 0, index >= 50 { replica.write("k-\(index - 30)", at: 100_000 + UInt64(index)) }
        }
        #expect(replica.ghostCount == 100)
        #expect(replica.treesMatchContents())
        let ghosts = (0..<MerkleLayout.default.leafCount).flatMap { replica.trees[0].ghosts(inBucket: $0) }
        let oldest = ghosts.map { Int(String(decoding: $0.key.dropFirst(2), as: UTF8.self))! }.min()!
        #expect(oldest >= 2700)
    }

    @Test func aLineWithoutValueReplacesTheValueOrTheGhostHeld() {
        var tree = PartitionTree(partition: 0)
        let key = Fixtures.key("k")
        let keyHash = Fixtures.keyHash(key)
        tree.apply(key: key, old: nil, new: .value(Fixtures.version(1)), nowMillis: 1)
        tree.recordWithoutValue(Fixtures.value("k", 2), keyHash: keyHash, old: .value(Fixtures.version(1)), nowMillis: 2)
        #expect(tree.ghost(key: key) == Fixtures.evicted("k", 2))
        tree.recordWithoutValue(Fixtures.value("k", 3), keyHash: keyHash, old: nil, nowMillis: 3)
        #expect(tree.ghostCount == 1)
        var expected = Fixtures.tree([(key, .value(Fixtures.version(3)))])
        #expect(tree.root() == expected.root())
        tree.apply(key: key, old: nil, new: .tombstone(Fixtures.version(4)), nowMillis: 4)
        #expect(tree.ghostCount == 0)
        expected.apply(key: key, old: .value(Fixtures.version(3)), new: .tombstone(Fixtures.version(4)), nowMillis: 4)
        #expect(tree.root() == expected.root())
    }

    @Test func anEvictedTombstoneKeepsShadowingOlderWrites() {
        var tree = PartitionTree(partition: 0)
        let key = Fixtures.key("gone")
        tree.apply(key: key, old: nil, new: .tombstone(Fixtures.version(500)), nowMillis: 500)
        tree.recordEviction(key: key, keyHash: Fixtures.keyHash(key), stamp: .tombstone(Fixtures.version(500)), expiresAtMillis: 0, nowMillis: 600)
        #expect(tree.ghost(key: key) == Fixtures.tombstone("gone", 500))
        #expect(tree.ghosts(inBucket: MerkleLayout.default.leaf(forKeyHash: Fixtures.keyHash(key))) == [Fixtures.tombstone("gone", 500)])
        // Dead at version + grace, like any tombstone.
        #expect(tree.sweepGhosts(nowMillis: 500 + 600_000, rules: ExchangeRules(tombstoneGraceMillis: 600_000)) == 1)
        var empty = MerkleTree()
        #expect(tree.root() == empty.root())
    }
}
