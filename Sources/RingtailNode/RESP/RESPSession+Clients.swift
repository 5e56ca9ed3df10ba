import NIOCore
import RingtailRESP

/// `CLIENT LIST` and `CLIENT KILL`: every open Redis connection of this node.
extension RESPSession {
    /// Monotonic nanoseconds: command timings, CLIENT LIST's age and idle time.
    @inline(__always)
    static func nowNanos() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// `CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id ...]`. Every Ringtail client
    /// is of type normal.
    func clientList(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        var clients = server.clients.all()
        var index = 2
        while index < command.count {
            let option = command[index]
            if option.respEqualsIgnoringCase("TYPE"), index + 1 < command.count {
                let type = String(buffer: command[index + 1]).lowercased()
                guard ["normal", "master", "replica", "slave", "pubsub"].contains(type) else {
                    output.writeRESPError("ERR Unknown client type '\(String(buffer: command[index + 1]))'")
                    return .replied
                }
                if type != "normal" { clients = [] }
                index += 2
            } else if option.respEqualsIgnoringCase("ID"), index + 1 < command.count {
                var ids: Set<Int64> = []
                for word in command.arguments[(index + 1)...] {
                    guard let id = word.respInt64(), id > 0 else {
                        output.writeRESPError("ERR Invalid client ID")
                        return .replied
                    }
                    ids.insert(id)
                }
                clients = clients.filter { ids.contains($0.id) }
                index = command.count
            } else {
                output.writeRESPError(RESPErrors.syntax)
                return .replied
            }
        }
        let now = Self.nowNanos()
        output.writeRESPVerbatimString(ByteBuffer(string: clients.map { $0.line(nowNanos: now) + "\n" }.joined()), version)
        return .replied
    }

    /// `CLIENT KILL ip:port` (answers OK, or an error when no client has that address) and
    /// `CLIENT KILL <filter> <value> ...` with ID, ADDR, LADDR, USER, TYPE and SKIPME (answers
    /// how many were closed; the caller itself is spared unless `SKIPME no`). The reply comes
    /// once the connections named are closed, so no request of theirs is answered after it;
    /// a connection that kills itself is closed after this reply.
    func clientKill(_ command: RESPCommand, into output: inout ByteBuffer, on eventLoop: any EventLoop) -> Outcome {
        guard command.count >= 3 else {
            output.writeRESPError(RESPErrors.wrongArity("client|kill"))
            return .replied
        }
        if command.count == 3 {
            let address = String(buffer: command[2])
            guard let target = server.clients.all().first(where: { $0.address == address }) else {
                output.writeRESPError("ERR No such client")
                return .replied
            }
            if target.id == clientID {
                output.writeRESPOK()
                return .close
            }
            return .deferred(.future(Self.closing([target], on: eventLoop).map { .simpleString("OK") }), version)
        }
        guard command.count % 2 == 0 else {
            output.writeRESPError(RESPErrors.syntax)
            return .replied
        }
        var filters: [(RESPClientRecord) -> Bool] = []
        var skipMe = true
        for index in stride(from: 2, to: command.count, by: 2) {
            let filter = String(buffer: command[index]).lowercased()
            let value = String(buffer: command[index + 1])
            switch filter {
            case "id":
                guard let id = Int64(value), id > 0 else {
                    output.writeRESPError("ERR client-id should be greater than 0")
                    return .replied
                }
                filters.append { $0.id == id }
            case "addr": filters.append { $0.address == value }
            case "laddr": filters.append { $0.localAddress == value }
            case "user": filters.append { _ in value == "default" }
            case "type":
                let type = value.lowercased()
                guard ["normal", "master", "replica", "slave", "pubsub"].contains(type) else {
                    output.writeRESPError("ERR Unknown client type '\(value)'")
                    return .replied
                }
                filters.append { _ in type == "normal" }
            case "skipme":
                switch value.lowercased() {
                case "yes": skipMe = true
                case "no": skipMe = false
                default:
                    output.writeRESPError(RESPErrors.syntax)
                    return .replied
                }
            default:
                output.writeRESPError(RESPErrors.syntax)
                return .replied
            }
        }
        let targets = server.clients.all().filter { client in
            !(skipMe && client.id == clientID) && filters.allSatisfy { $0(client) }
        }
        let others = targets.filter { $0.id != clientID }
        guard others.count < targets.count else {
            return .deferred(.future(Self.closing(others, on: eventLoop).map { .integer(Int64(targets.count)) }), version)
        }
        // This connection goes too: the others are closing as it answers and closes.
        _ = Self.closing(others, on: eventLoop)
        output.writeRESPInteger(Int64(targets.count))
        return .close
    }

    /// Closes `targets`' connections; succeeds on `eventLoop` once all are closed (a
    /// connection that closed on its own meanwhile counts as closed).
    private static func closing(_ targets: [RESPClientRecord], on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        let closes = targets.map { $0.closer.close() }
        return EventLoopFuture.whenAllComplete(closes, on: eventLoop).map { _ in }
    }
}
