import NIOCore
import RingtailModel
import RingtailWire

extension Coordinator {
    /// FLUSHALL: removes every key from every member, as one write at a new version. This node
    /// flushes itself and asks every live member (alive or suspect) to do the same; members
    /// that are down, or that this request does not reach, apply it when gossip brings it
    /// (a restarted member is empty anyway). Anything written before the flush's version and
    /// still held somewhere is refused wherever the flush arrived, so neither anti-entropy nor
    /// a late replica write brings it back. Fails, after flushing wherever it could, when a
    /// live member did not confirm. Returns the flush's version.
    public func flushAll(on eventLoop: any EventLoop) -> EventLoopFuture<Version> {
        let version = local.versions.nextVersion()
        let request = AnyMessage.flushRequest(FlushRequest(through: EntryVersion(version)))
        var confirmations = [flusher.flush(through: version, on: eventLoop).map { _ -> String? in nil }]
        let others = cluster.members.filter { $0.id != cluster.me && $0.state.isLive }
        for member in others {
            let promise = eventLoop.makePromise(of: String?.self)
            guard let client = client(for: member.id) else {
                promise.succeed("\(member.id) (no address)")
                confirmations.append(promise.futureResult)
                continue
            }
            client.send(request) { result in
                switch PeerReply<FlushResponse>.decode(result) {
                case .success: promise.succeed(nil)
                case .failure(let error): promise.succeed("\(member.id) (\(error.message))")
                }
            }
            confirmations.append(promise.futureResult)
        }
        let asked = confirmations.count
        return EventLoopFuture.whenAllSucceed(confirmations, on: eventLoop).flatMapThrowing { answers -> Version in
            let missing = answers.compactMap { $0 }
            guard missing.isEmpty else {
                throw OperationError(
                    .quorumFailed,
                    "flushed on \(asked - missing.count) of \(asked) live members; not confirmed by \(missing.joined(separator: ", ")): they apply the flush when gossip reaches them")
            }
            return version
        }
    }
}
