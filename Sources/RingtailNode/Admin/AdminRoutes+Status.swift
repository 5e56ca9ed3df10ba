import NIOCore
import RingtailWire

extension AdminRoutes {
    /// Prometheus text exposition, with the gauges refreshed first.
    func metrics() -> AdminResponse {
        gauges.refresh()
        guard let registry else {
            return .error(.serviceUnavailable, "metrics are not enabled in this process", code: "unavailable")
        }
        var body = ByteBuffer(bytes: registry.emitToBuffer())
        if let redisCommands { body.writeString(redisCommands.prometheusText()) }
        return AdminResponse(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: body)
    }

    /// Ready once membership runs and sees this node alive, the node has joined (founded its
    /// cluster or sees another member), every partition it replicates is filled (its reads
    /// count toward R), and anti-entropy has every partition checked and in sync (a node with
    /// no live peer has nothing to check).
    func health() -> AdminResponse {
        guard let cluster else { return ready(["cluster services off"]) }
        let status = cluster.status()
        guard let me = status.members.first(where: { $0.nodeId == node.nodeID.name }) else {
            return notReady("membership has not started")
        }
        guard me.state == .alive else { return notReady("this node is \(me.state) in its own view") }
        guard cluster.state.hasJoined else { return notReady("has not joined the cluster yet (no other member seen)") }
        let repair = cluster.antiEntropy.status()
        if !repair.ready { return notReady("\(repair.partitionsFilling) partitions still being filled") }
        if repair.enabled {
            if repair.partitionsOutOfSync > 0 { return notReady("\(repair.partitionsOutOfSync) partitions out of sync") }
            // Alone there is no replica to compare with, so unchecked partitions are expected.
            let alone = !status.members.contains { $0.nodeId != me.nodeId && $0.state == .alive }
            if repair.partitionsUnchecked > 0, !alone { return notReady("\(repair.partitionsUnchecked) partitions not yet checked") }
        }
        return ready(["members \(status.members.count)", "partitions \(repair.partitionsReplicated)"])
    }

    private func ready(_ notes: [String]) -> AdminResponse {
        .json(.ok, JSON.object([("status", JSON.string("ready")), ("node", JSON.string(node.nodeID.name)),
                                ("detail", JSON.string(notes.joined(separator: ", ")))]))
    }

    private func notReady(_ reason: String) -> AdminResponse {
        .json(.serviceUnavailable, JSON.object([("status", JSON.string("not ready")), ("node", JSON.string(node.nodeID.name)),
                                                ("reason", JSON.string(reason))]))
    }

    /// Members, quorum settings and counters as JSON.
    func clusterStatus() -> AdminResponse {
        guard let cluster else { return .error(.notFound, "this node does not run cluster services", code: "invalidArgument") }
        let status = cluster.status()
        let repair = cluster.antiEntropy.status()
        let configuration = cluster.state.configuration
        let members = status.members.map { member in
            JSON.object([
                ("node", JSON.string(member.nodeId)), ("address", JSON.string(member.address)),
                ("state", JSON.string("\(member.state)")), ("incarnation", "\(member.incarnation)"),
                ("partitions", "\(member.partitionsOwned)"), ("lastHeardMillis", "\(member.lastHeardMillis)"),
                ("weight", "\(Double(member.weightMilli) / 1000)"),
            ])
        }
        return .json(.ok, JSON.object([
            ("node", JSON.string(status.nodeId)),
            ("members", "[" + members.joined(separator: ",") + "]"),
            ("partitionCount", "\(status.partitionCount)"),
            ("quorum", JSON.object([
                ("replicas", "\(status.replicas)"), ("write", "\(status.writeQuorum)"), ("read", "\(status.readQuorum)"),
                ("replicaTimeoutMillis", "\(configuration.replicaTimeoutMillis)"),
                ("readHedgeMillis", "\(configuration.effectiveReadHedgeMillis)"),
            ])),
            ("counters", JSON.object([
                ("hintsQueued", "\(status.hintsQueued)"), ("hintsDelivered", "\(status.hintsDelivered)"),
                ("hintsDropped", "\(status.hintsDropped)"), ("readRepairs", "\(status.readRepairs)"),
                ("quorumFailures", "\(status.quorumFailures)"), ("readStandIns", "\(status.readStandIns)"),
                ("readsAnsweredByVersion", "\(status.readsAnsweredByVersion)"),
            ])),
            // The newest FLUSHALL this node applied, or null before any.
            ("flushedThrough", status.flushedThrough.map { JSON.string("\($0.modelVersion)") } ?? "null"),
            ("antiEntropy", JSON.object([
                ("enabled", "\(repair.enabled)"), ("partitionsReplicated", "\(repair.partitionsReplicated)"),
                ("partitionsInSync", "\(repair.partitionsInSync)"), ("partitionsOutOfSync", "\(repair.partitionsOutOfSync)"),
                ("partitionsUnchecked", "\(repair.partitionsUnchecked)"), ("keysRepaired", "\(repair.keysRepaired)"),
                ("bytesRepaired", "\(repair.bytesRepaired)"), ("wireBytesSent", "\(repair.wireBytesSent)"),
                ("wireBytesReceived", "\(repair.wireBytesReceived)"), ("paused", "\(repair.paused)"),
                ("ready", "\(repair.ready)"),
                ("partitionsFilling", "\(repair.partitionsFilling)"), ("partitionsHandingOff", "\(repair.partitionsHandingOff)"),
                ("partitionsDropped", "\(repair.partitionsDropped)"), ("keysDropped", "\(repair.keysDropped)"),
            ])),
        ]))
    }
}
