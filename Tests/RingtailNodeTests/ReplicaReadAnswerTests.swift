import Foundation
import NIOCore
import RingtailModel
import RingtailWire
import Testing

@testable import RingtailNode

/// A replica's answer to a read that names the version the asker holds: the version alone
/// when it is exactly what the replica holds, the whole entry otherwise.
@Suite struct ReplicaReadAnswerTests {
    let node = LocalNode(configuration: NodeConfiguration(nodeID: NodeID("replica"), maxMemoryBytes: 8 << 20, shardCount: 4))
    let key = ByteBuffer(string: "user:42")

    func version(_ timestamp: UInt64) -> EntryVersion {
        EntryVersion(timestamp: timestamp << 16, node: 7)
    }

    func store(_ value: String, at timestamp: UInt64, expiresAtMillis: UInt64 = 0) throws {
        let entry = StoredEntry(key: key, state: .live, value: ByteBuffer(string: value), version: version(timestamp), expiresAtMillis: expiresAtMillis)
        #expect(try node.applyReplica(entry).applied)
    }

    func answer(unless timestamp: UInt64?) -> ReplicaReadResponse {
        node.answerReplicaRead(ReplicaReadRequest(key: key, unlessVersion: timestamp.map(version)), complete: true)
    }

    @Test func theSameVersionIsAnsweredWithTheVersionAlone() throws {
        let far = UInt64(Date.now.timeIntervalSince1970 * 1000) + 3_600_000
        try store("cached page", at: 1_000, expiresAtMillis: far)
        let same = answer(unless: 1_000)
        #expect(same.sameVersion)
        #expect(same.entry.state == .live)
        #expect(same.entry.version == version(1_000))
        #expect(same.entry.value.readableBytes == 0)
        #expect(same.entry.expiresAtMillis == 0)
        #expect(!same.notReady)
    }

    @Test func anotherVersionOrNoneGetsTheWholeEntry() throws {
        let far = UInt64(Date.now.timeIntervalSince1970 * 1000) + 3_600_000
        try store("cached page", at: 1_000, expiresAtMillis: far)
        for asked in [UInt64?.none, 999, 1_001] {
            let full = answer(unless: asked)
            #expect(!full.sameVersion, "asked unless \(String(describing: asked))")
            #expect(full.entry.state == .live)
            #expect(full.entry.version == version(1_000))
            #expect(String(buffer: full.entry.value) == "cached page")
            #expect(full.entry.expiresAtMillis == far)
        }
    }

    @Test func tombstonesAndMissingKeysAreAnsweredAsThemselves() throws {
        #expect(answer(unless: 1_000).entry.state == .missing)
        #expect(!answer(unless: 1_000).sameVersion)
        try store("gone soon", at: 1_000)
        #expect(try node.applyReplica(StoredEntry(key: key, state: .tombstone, version: version(1_001))).applied)
        // A tombstone is never "the same" as a live value the asker holds, even at its version.
        for asked: UInt64 in [1_000, 1_001] {
            let reply = answer(unless: asked)
            #expect(reply.entry.state == .tombstone)
            #expect(reply.entry.version == version(1_001))
            #expect(!reply.sameVersion)
        }
    }

    @Test func aCopyStillFillingSaysSoInEitherForm() throws {
        try store("v", at: 1_000)
        let reply = node.answerReplicaRead(ReplicaReadRequest(key: key, unlessVersion: version(1_000)), complete: false)
        #expect(reply.sameVersion)
        #expect(reply.notReady)
    }

    @Test func theRequestKeepsItsVersionOnTheWire() throws {
        let request = ReplicaReadRequest(key: key, unlessVersion: version(1_000))
        var encoded = ByteBuffer()
        request.encode(into: &encoded)
        let decoded = try ReplicaReadRequest(decoding: &encoded, nestingDepth: 0)
        #expect(decoded.unlessVersion == version(1_000))
        #expect(decoded.key == key)
        // A build that predates the field decodes the key and skips the version: a message with
        // the same field 1 and nothing else (RingRequest) stands in for the old decoder.
        var old = request.encoded()
        #expect(try RingRequest(decoding: &old, nestingDepth: 0).key == key)
    }
}
