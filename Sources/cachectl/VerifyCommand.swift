import ArgumentParser
import Foundation
import NIOCore
import RingtailClient
import RingtailModel
import RingtailWire

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every expected key on every one of its replicas, read directly (no coordinator, no read repair), and compare all partition roots across replicas.",
        discussion: "Exit status 1 when any replica misses a key, holds another value, or any partition's roots differ. Cluster messages must be allowed (no cluster secret)."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Expectations file from 'cachectl fill': 'key<TAB>value' lines; an empty value means deleted. Later lines win.")
    var expect: String?

    @Flag(help: "Also compare the Merkle roots of every partition across its replicas.")
    var roots = false

    @Flag(help: "Also read every expected key from the live members that do not replicate it: any copy there (a value or a tombstone) is a problem, since data a node no longer replicates must be dropped once handed off.")
    var noStrays = false

    func run() async throws {
        let status = try await withClient(connection) { try await $0.clusterStatus() }
        let ring = try await withClient(connection) { try await $0.ring() }
        var clients: [String: RingtailClient] = [:]
        for member in status.members where member.state == .alive {
            guard let address = HostAndPort(member.address) else { continue }
            clients[member.nodeId] = RingtailClient(address: address, requestTimeout: .seconds(5))
        }
        var problems: [String] = []
        var checked = 0
        var strayChecks = 0
        if let expect {
            guard let text = try? String(contentsOfFile: expect, encoding: .utf8) else {
                printError("cachectl: cannot read \(expect)")
                throw ExitStatus.serverError
            }
            var expected: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { continue }
                expected[String(parts[0])] = String(parts[1])
            }
            for (key, value) in expected.sorted(by: { $0.key < $1.key }) {
                let hash = StableHash.xxh64(Array(key.utf8))
                let partition = Int(hash >> (64 - UInt64(ring.partitionCount.trailingZeroBitCount)))
                let replicas = ring.partitionCount == 1 ? ring.partitions[0].replicas : ring.partitions[partition].replicas
                if noStrays {
                    for (node, client) in clients.sorted(by: { $0.key < $1.key }) where !replicas.contains(node) {
                        strayChecks += 1
                        guard let entry = try? await client.request(.replicaReadRequest(ReplicaReadRequest(key: ByteBuffer(string: key))), expecting: ReplicaReadResponse.self).entry
                        else {
                            problems.append("\(key): \(node) did not answer")
                            continue
                        }
                        if entry.state != .missing { problems.append("\(key): \(node) does not replicate it but still holds a \(entry.state == .live ? "value" : "tombstone")") }
                    }
                }
                for replica in replicas {
                    checked += 1
                    guard let client = clients[replica] else {
                        problems.append("\(key): replica \(replica) is not alive")
                        continue
                    }
                    do {
                        let entry = try await client.request(.replicaReadRequest(ReplicaReadRequest(key: ByteBuffer(string: key))), expecting: ReplicaReadResponse.self).entry
                        let held = entry.state == .live ? String(decoding: entry.value.readableBytesView, as: UTF8.self) : nil
                        if value.isEmpty {
                            if held != nil { problems.append("\(key): deleted, but \(replica) still holds a value") }
                        } else if held != value {
                            problems.append("\(key): \(replica) holds \(held.map { "'\($0.prefix(24))…'" } ?? "nothing (\(entry.state))")")
                        }
                    } catch {
                        problems.append("\(key): \(replica) did not answer: \(error)")
                    }
                }
            }
            Output.line("checked \(expected.count) keys, \(checked) replica copies" + (noStrays ? ", \(strayChecks) reads on non-replicas" : ""))
        }
        if roots {
            var differing = 0
            for placement in ring.partitions {
                var seen: Set<[UInt8]> = []
                for replica in placement.replicas {
                    guard let client = clients[replica],
                        let summary = try? await client.treeSummary(partition: Int(placement.partition))
                    else {
                        problems.append("partition \(placement.partition): no summary from \(replica)")
                        continue
                    }
                    seen.insert(Array(summary.root.readableBytesView))
                }
                if seen.count > 1 {
                    differing += 1
                    if differing <= 20 { problems.append("partition \(placement.partition): \(seen.count) different roots") }
                }
            }
            Output.line("compared the roots of \(ring.partitions.count) partitions: \(differing) differ")
        }
        for client in clients.values { await client.close() }
        for problem in problems.prefix(50) { Output.line("MISMATCH \(problem)") }
        if problems.isEmpty {
            Output.line("OK: every replica holds what was expected")
        } else {
            Output.line("FAILED: \(problems.count) problems")
            throw ExitCode(1)
        }
    }
}
