import Foundation
import NIOCore
import RingtailRESP

/// `CONFIG SET parameter value [parameter value ...]`: the settings an operator turns while
/// the node runs (the slow log, the client limit, the memory bound), all or none of them;
/// persistence settings only at the values they have (no data is kept on disk), so tools
/// that turn persistence off on connect succeed; the rest are fixed at start by the node's
/// flags.
extension RESPSession {
    func configSet(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        guard command.count >= 4, command.count % 2 == 0 else {
            output.writeRESPError(RESPErrors.wrongArity("config|set"))
            return .replied
        }
        var changes: [@Sendable () -> Void] = []
        var seen: Set<String> = []
        for index in stride(from: 2, to: command.count, by: 2) {
            let name = String(buffer: command[index]).lowercased()
            let value = String(buffer: command[index + 1])
            func fail(_ reason: String) -> Outcome {
                output.writeRESPError("ERR CONFIG SET failed (possibly related to argument '\(name)') - \(reason)")
                return .replied
            }
            guard seen.insert(name).inserted else { return fail("duplicate parameter") }
            let server = self.server
            switch name {
            case "slowlog-log-slower-than":
                guard let micros = Int64(value) else { return fail("argument couldn't be parsed into an integer") }
                // Microseconds, as in Redis; negative turns the log off.
                let nanos = micros < 0 ? UInt64.max : min(UInt64(micros), (UInt64.max - 1) / 1000) * 1000
                changes.append { server.slowThresholdNanos.store(nanos, ordering: .relaxed) }
            case "slowlog-max-len":
                guard let length = Int(value) else { return fail("argument couldn't be parsed into an integer") }
                guard (0...1_000_000).contains(length) else { return fail("argument must be between 0 and 1000000 inclusive") }
                changes.append { server.slowLog.withLock { $0.resize(to: length) } }
            case "maxclients":
                guard let clients = Int(value) else { return fail("argument couldn't be parsed into an integer") }
                let fitting = ProcessStatistics.current(countingDescriptors: false).maxFileDescriptors.map {
                    RedisClientBudget.clientsFitting(openFileLimit: Int(clamping: $0))
                } ?? clients
                guard clients >= 1 else { return fail("argument must be between 1 and \(fitting) inclusive") }
                guard clients <= fitting else {
                    return fail("The operating system is not able to handle the specified number of clients (the open-file limit leaves room for \(fitting))")
                }
                changes.append { server.maxClients.store(clients, ordering: .relaxed) }
            case "maxmemory":
                guard let bytes = RedisMemoryValue.parse(value) else { return fail("argument must be a memory value") }
                let minimum = NodeConfiguration.minimumMaxMemoryBytes
                guard bytes >= minimum else {
                    return fail("argument must be at least \(minimum) (Ringtail always bounds its memory: 0 is not unlimited)")
                }
                // On this node only. What a lower bound evicts is evicted off the event loop
                // (millions of entries take seconds), least recently used first.
                let store = node.store
                changes.append {
                    store.setMaxMemory(bytes: bytes)
                    Task.detached { store.evictOverBudget() }
                }
            case "save":
                guard value.trimmingCharacters(in: .whitespaces).isEmpty else { return fail("Ringtail keeps no data on disk: save can only be empty") }
            case "appendonly":
                guard value.lowercased() == "no" else { return fail("Ringtail keeps no data on disk: appendonly can only be no") }
            default:
                guard configParameters().contains(where: { $0.name == name }) else {
                    output.writeRESPError("ERR Unknown option or number of arguments for CONFIG SET - '\(name)'")
                    return .replied
                }
                return fail("can't set immutable config (set it with the node's flags at start)")
            }
        }
        for change in changes { change() }
        output.writeRESPOK()
        return .replied
    }

    /// CONFIG GET's `slowlog-log-slower-than`: microseconds, -1 when the log is off.
    var slowlogThresholdText: String {
        let nanos = server.slowThresholdNanos.load(ordering: .relaxed)
        return nanos == .max ? "-1" : "\(nanos / 1000)"
    }
}
