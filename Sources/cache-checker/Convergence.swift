import Foundation
import NIOCore
import RingtailChecker
import RingtailClient
import RingtailModel
import RingtailWire

/// After the workload: waiting for anti-entropy, then reading what every replica holds,
/// directly (replica reads: no coordinator, no read repair), and comparing partition roots.
struct Convergence: Sendable {
    let settings: RunSettings

    struct Settled: Sendable, Codable {
        var converged: Bool
        var millis: Double
        var lastStatus: [String]
    }

    struct Roots: Sendable, Codable {
        var partitions: Int
        var differing: Int
        var unreadable: Int
    }

    private func client(_ address: HostAndPort) -> RingtailClient {
        RingtailClient(address: address, requestTimeout: .seconds(3), connectTimeout: .seconds(1))
    }

    /// Polls every node's repair status until all report every partition in sync, after an
    /// exchange that finished once the workload was over (so the status is not from before).
    func waitInSync(workloadEndUnixMillis: UInt64) async -> Settled {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int64(settings.settleTimeoutMillis))
        var lines: [String] = []
        while clock.now < deadline {
            var allInSync = true
            lines = []
            for host in settings.hosts {
                let node = client(host)
                if let status = try? await node.repairStatus() {
                    let inSync = status.enabled && status.partitionsInSync == status.partitionsReplicated
                        && status.partitionsOutOfSync == 0 && status.partitionsRepairing == 0
                        && status.lastExchangeMillis > workloadEndUnixMillis
                    allInSync = allInSync && inSync
                    lines.append("\(status.nodeId): \(status.partitionsInSync)/\(status.partitionsReplicated) in sync, \(status.partitionsOutOfSync) out of sync, \(status.partitionsRepairing) repairing, enabled \(status.enabled)")
                } else {
                    allInSync = false
                    lines.append("\(host): unreachable")
                }
                await node.close()
            }
            if allInSync {
                return Settled(converged: true, millis: Self.millis(clock.now - start), lastStatus: lines)
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return Settled(converged: false, millis: Self.millis(clock.now - start), lastStatus: lines)
    }

    static func millis(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    /// The ring and a client per alive member, from the first node that answers.
    func topology() async throws -> (ring: RingResponse, clients: [String: RingtailClient]) {
        var lastError: (any Error)?
        for host in settings.hosts {
            let node = client(host)
            do {
                let status = try await node.clusterStatus()
                let ring = try await node.ring()
                await node.close()
                var clients: [String: RingtailClient] = [:]
                for member in status.members where member.state == .alive {
                    guard let address = HostAndPort(member.address) else { continue }
                    clients[member.nodeId] = client(address)
                }
                return (ring, clients)
            } catch {
                await node.close()
                lastError = error
            }
        }
        throw lastError ?? RingtailClientError.connectionClosed
    }

    /// Every key of the key space on every one of its replicas. A replica that cannot be read
    /// after a few tries is a failure of the run, not a finding.
    func finalState(ring: RingResponse, clients: [String: RingtailClient]) async throws -> FinalState {
        var state: FinalState = [:]
        for index in 0..<settings.keys {
            let key = "chk-\(index)"
            var replicas: [String: String?] = [:]
            for replica in Self.replicas(of: key, in: ring) {
                guard let node = clients[replica] else { throw RunFailure("replica \(replica) of \(key) is not an alive member") }
                replicas[replica] = try await readReplica(key, node)
            }
            state[key] = replicas
        }
        return state
    }

    private func readReplica(_ key: String, _ node: RingtailClient) async throws -> String? {
        var attempt = 0
        while true {
            do {
                let request = ReplicaReadRequest(key: ByteBuffer(string: key))
                let entry = try await node.request(.replicaReadRequest(request), expecting: ReplicaReadResponse.self).entry
                return entry.state == .live ? String(decoding: entry.value.readableBytesView, as: UTF8.self) : nil
            } catch {
                attempt += 1
                if attempt >= 3 { throw RunFailure("cannot read \(key) from \(node.address): \(error)") }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// The replicas of `key`: its partition is the top bits of its stable hash (as in the ring).
    static func replicas(of key: String, in ring: RingResponse) -> [String] {
        guard ring.partitionCount > 1 else { return ring.partitions.first?.replicas ?? [] }
        let hash = StableHash.xxh64(Array(key.utf8))
        let partition = Int(hash >> (64 - UInt64(ring.partitionCount.trailingZeroBitCount)))
        return ring.partitions.first { Int($0.partition) == partition }?.replicas ?? []
    }

    /// Compares the Merkle root of every partition across its replicas.
    func compareRoots(ring: RingResponse, clients: [String: RingtailClient]) async -> Roots {
        var roots = Roots(partitions: ring.partitions.count, differing: 0, unreadable: 0)
        for placement in ring.partitions {
            var seen: Set<[UInt8]> = []
            for replica in placement.replicas {
                guard let node = clients[replica], let summary = try? await node.treeSummary(partition: Int(placement.partition)) else {
                    roots.unreadable += 1
                    continue
                }
                seen.insert(Array(summary.root.readableBytesView))
            }
            if seen.count > 1 { roots.differing += 1 }
        }
        return roots
    }
}

/// The run itself failed (exit status 2): not a finding about the cluster.
struct RunFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
