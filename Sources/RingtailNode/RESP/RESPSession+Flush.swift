import NIOCore
import RingtailRESP

extension RESPSession {
    /// `FLUSHALL [ASYNC|SYNC]` and `FLUSHDB [ASYNC|SYNC]` (one database: the same thing). Both
    /// flush the whole cluster through the coordinator (`Coordinator.flushAll`) and answer once
    /// every live member has; the flush runs off the event loop either way, so ASYNC and SYNC
    /// differ only in name.
    func flush(_ command: RESPCommand, into output: inout ByteBuffer, on eventLoop: any EventLoop) -> Outcome {
        if command.count > 2 || (command.count == 2 && !command[1].respEqualsIgnoringCase("ASYNC") && !command[1].respEqualsIgnoringCase("SYNC")) {
            output.writeRESPError(RESPErrors.syntax)
            return .replied
        }
        guard let cluster = server.cluster else {
            output.writeRESPError("ERR this node runs without cluster services and cannot flush")
            return .replied
        }
        let reply = cluster.coordinator.flushAll(on: eventLoop).map { _ in RESPValue.simpleString("OK") }
        return .deferred(.future(reply), version)
    }
}
