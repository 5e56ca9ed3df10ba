#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import RingtailRESP
import RingtailStorage
import RingtailWire

/// One Redis connection's state (protocol version, authentication, name) and the dispatch of
/// its commands. Lives on the connection's event loop; the handler owns it.
final class RESPSession {
    /// How a command was answered.
    enum Outcome {
        /// The reply is in the output buffer.
        case replied
        /// The reply comes later, to be written in `version`'s form (captured now: a later
        /// HELLO must not change how an earlier command is answered).
        case deferred(CoordinatedReply, RESPVersion)
        /// The reply is in the output buffer; close the connection once it is written.
        case close
    }

    let server: RESPServerContext
    let clientID: Int64
    var version: RESPVersion = .resp2 {
        didSet { record?.details.withLock { $0.protocolVersion = Int(version.rawValue) } }
    }
    var authenticated: Bool
    var name: ByteBuffer? {
        didSet { record?.details.withLock { $0.name = name.map { String(buffer: $0) } ?? "" } }
    }
    var libraryName: String? {
        didSet { record?.details.withLock { $0.libraryName = libraryName ?? "" } }
    }
    var libraryVersion: String? {
        didSet { record?.details.withLock { $0.libraryVersion = libraryVersion ?? "" } }
    }
    /// What CLIENT LIST shows of this connection; set once it is open and accepted.
    var record: RESPClientRecord?
    /// A moved connection's session is settled: its new transport took it over (or it was
    /// abandoned), so it is not counted again on opening, nor uncounted twice.
    var isContinued = false
    /// Whether requests go through the coordinator, decided once per socket read rather than
    /// per command (it takes the ring's lock).
    private var routing: Coordinator?? = nil

    init(server: RESPServerContext) {
        self.server = server
        self.clientID = server.counters.nextClientID()
        self.authenticated = server.password == nil
    }

    var node: LocalNode { server.node }

    /// A connection moving to another transport never got there: it is gone, so it is no
    /// longer counted or listed. Only if no transport took the session over.
    func abandoned() {
        guard !isContinued else { return }
        isContinued = true
        server.counters.openConnections.subtract(1, ordering: .relaxed)
        if record != nil { server.clients.remove(id: clientID) }
    }

    /// Forgets the routing decision: called when a socket read has been handled.
    func endOfRead() {
        routing = nil
    }

    private var coordinator: Coordinator? {
        if let routing { return routing }
        let decided = server.coordinatorIfClustered
        routing = .some(decided)
        return decided
    }

    /// Runs `command`, whose name `RESPCommandTable.lookup` resolved to `resolved`, writing a
    /// synchronous reply into `output`.
    func execute(
        _ command: RESPCommand, resolved: (kind: RESPCommandKind, arity: Int)?, into output: inout ByteBuffer, on eventLoop: any EventLoop
    ) -> Outcome {
        guard let (kind, arity) = resolved else {
            output.writeRESPError(RESPErrors.unknownCommand(command))
            return .replied
        }
        guard RESPCommandTable.accepts(command.count, arity: arity) else {
            output.writeRESPError(RESPErrors.wrongArity("\(kind)"))
            return .replied
        }
        guard authenticated || kind == .auth || kind == .hello || kind == .quit else {
            output.writeRESPError(RESPErrors.noAuth)
            return .replied
        }
        switch kind {
        case .get:
            if let coordinator {
                // Straight to the coordinator: a GET needs none of the general key-command path.
                do throws(OperationError) {
                    try node.checkKey(command[1])
                } catch {
                    output.writeRESPError(RESPErrors.from(error))
                    return .replied
                }
                return .deferred(.get(command[1], coordinator), version)
            }
            // The hot path: straight from the store into the output buffer.
            do throws(OperationError) {
                try node.writeValueReply(command[1], into: &output, version: version)
            } catch {
                output.writeRESPError(RESPErrors.from(error))
            }
            return .replied
        case .set where command.count == 3:
            let key = command[1]
            let value = command[2]
            if let coordinator {
                do throws(OperationError) {
                    try node.checkKey(key)
                    try node.checkValue(value)
                } catch {
                    output.writeRESPError(RESPErrors.from(error))
                    return .replied
                }
                return .deferred(.set(StoredEntry(key: key, state: .live, value: value, expiresAtMillis: 0), coordinator), version)
            }
            // One hash picks both the stripe and the store's shard.
            let hash = key.withUnsafeReadableBytes { Store.keyHash($0) }
            do throws(OperationError) {
                try server.stripes.withLock(keyHash: hash) { () throws(OperationError) in
                    try node.putString(key, keyHash: hash, value: value, expiresAtMillis: 0)
                }
                output.writeRESPOK()
            } catch {
                output.writeRESPError(RESPErrors.from(error))
            }
            return .replied
        case .ping: return ping(command, into: &output)
        case .echo:
            output.writeRESPBulkString(command[1])
            return .replied
        case .hello: return hello(command, into: &output)
        case .auth: return auth(command, into: &output)
        case .select: return select(command, into: &output)
        case .quit:
            output.writeRESPOK()
            return .close
        case .client: return client(command, into: &output, on: eventLoop)
        case .info: return info(command, into: &output)
        case .slowlog: return slowlog(command, into: &output)
        case .scan: return scan(command, into: &output)
        case .keys: return keys(command, into: &output)
        case .memory: return memory(command, into: &output)
        case .time:
            // Redis's form: Unix seconds and the microseconds into that second, as strings.
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            output.writeRESPValue(.array([.bulkString(ByteBuffer(string: "\(now.tv_sec)")), .bulkString(ByteBuffer(string: "\(now.tv_nsec / 1000)"))]), version)
            return .replied
        case .dbsize:
            output.writeRESPInteger(Int64(node.store.statistics().keys))
            return .replied
        case .config: return config(command, into: &output)
        case .flushall, .flushdb: return flush(command, into: &output, on: eventLoop)
        case .command: return commandCommand(command, into: &output)
        default:
            return runKeyCommand(kind, command, into: &output, on: eventLoop)
        }
    }

    private func runKeyCommand(_ kind: RESPCommandKind, _ command: RESPCommand, into output: inout ByteBuffer, on eventLoop: any EventLoop) -> Outcome {
        let parsed: KeyCommand
        switch KeyCommand.parse(kind, command, clock: { node.wallClock.nowMillis() }) {
        case .success(let keyCommand): parsed = keyCommand
        case .failure(let error):
            output.writeRESPError(error.message)
            return .replied
        }
        do throws(OperationError) {
            for key in parsed.keys { try node.checkKey(key) }
        } catch {
            output.writeRESPError(RESPErrors.from(error))
            return .replied
        }
        if let coordinator {
            let reply = ClusterKeyRunner(node: node, coordinator: coordinator).run(parsed, on: eventLoop)
            return .deferred(reply, version)
        }
        LocalKeyRunner(node: node, stripes: server.stripes).run(parsed, into: &output, version: version)
        return .replied
    }

    private func ping(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        switch command.count {
        case 1: output.writeRESPSimpleString("PONG")
        case 2: output.writeRESPBulkString(command[1])
        default: output.writeRESPError(RESPErrors.wrongArity("ping"))
        }
        return .replied
    }
}
