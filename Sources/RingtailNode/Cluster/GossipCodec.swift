import RingtailMembership
import RingtailModel
import RingtailWire

/// Translation between the membership protocol's messages and their wire form.
enum GossipCodec {
    static func encode(_ message: SWIMMessage, from address: String) -> Gossip {
        switch message {
        case .ping(let sequence, let gossip):
            Gossip(fromAddress: address, kind: .ping, sequence: sequence, members: gossip.map(record))
        case .pingReq(let sequence, let target, let gossip):
            Gossip(fromAddress: address, kind: .pingReq, sequence: sequence, target: target, members: gossip.map(record))
        case .ack(let sequence, let gossip):
            Gossip(fromAddress: address, kind: .ack, sequence: sequence, members: gossip.map(record))
        case .nack(let sequence):
            Gossip(fromAddress: address, kind: .nack, sequence: sequence)
        case .sync(let members):
            Gossip(fromAddress: address, kind: .sync, members: members.map(record))
        case .syncReply(let members):
            Gossip(fromAddress: address, kind: .syncReply, members: members.map(record))
        }
    }

    /// The message a gossip frame carries, or nil for a kind or state this build does not know.
    static func decode(_ gossip: Gossip) -> SWIMMessage? {
        var updates: [MemberUpdate] = []
        updates.reserveCapacity(gossip.members.count)
        for record in gossip.members {
            guard let update = update(record) else { return nil }
            updates.append(update)
        }
        switch gossip.kind {
        case .ping: return .ping(sequence: gossip.sequence, gossip: updates)
        case .pingReq: return .pingReq(sequence: gossip.sequence, target: gossip.target, gossip: updates)
        case .ack: return .ack(sequence: gossip.sequence, gossip: updates)
        case .nack: return .nack(sequence: gossip.sequence)
        case .sync: return .sync(members: updates)
        case .syncReply: return .syncReply(members: updates)
        default: return nil
        }
    }

    static func record(_ update: MemberUpdate) -> MemberRecord {
        MemberRecord(
            nodeId: update.id.name,
            address: update.address,
            state: stateCode(update.state),
            incarnation: update.incarnation,
            weightMilli: UInt32(clamping: Int((update.weight * 1000).rounded())),
            suspectedBy: update.suspectedBy?.name
        )
    }

    static func update(_ record: MemberRecord) -> MemberUpdate? {
        guard !record.nodeId.isEmpty, let state = state(record.state) else { return nil }
        return MemberUpdate(
            id: NodeID(record.nodeId),
            address: record.address,
            state: state,
            incarnation: record.incarnation,
            weight: max(0.001, Double(record.weightMilli) / 1000),
            suspectedBy: record.suspectedBy.map(NodeID.init)
        )
    }

    static func stateCode(_ state: MemberState) -> MemberStateCode {
        switch state {
        case .alive: .alive
        case .suspect: .suspect
        case .dead: .dead
        case .left: .left
        }
    }

    static func state(_ code: MemberStateCode) -> MemberState? {
        switch code {
        case .alive: .alive
        case .suspect: .suspect
        case .dead: .dead
        case .left: .left
        default: nil
        }
    }
}
