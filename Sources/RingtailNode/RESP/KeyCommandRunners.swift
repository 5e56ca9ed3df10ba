import NIOCore
import RingtailModel
import RingtailRESP
import RingtailStorage
import RingtailWire
import Synchronization

/// Locks that make each Redis write on a lone node, read-modify-write included, atomic with
/// respect to the others: one lock per stripe of key hashes, held only around synchronous
/// store calls, never across I/O.
final class KeyStripes: Sendable {
    private final class Stripe: Sendable {
        let mutex = Mutex<Void>(())
    }

    private let stripes: [Stripe]

    init(count: Int = 64) {
        stripes = (0..<count).map { _ in Stripe() }
    }

    @inline(__always)
    func withLock<R>(_ key: ByteBuffer, _ body: () throws(OperationError) -> R) throws(OperationError) -> R {
        try withLock(keyHash: key.withUnsafeReadableBytes { Store.keyHash($0) }, body)
    }

    /// `withLock(_:_:)` for a caller that already has the key's `Store.keyHash`, which it can
    /// hand on to the store so that a write hashes its key once.
    @inline(__always)
    func withLock<R>(keyHash hash: UInt64, _ body: () throws(OperationError) -> R) throws(OperationError) -> R {
        let stripe = stripes[Int(truncatingIfNeeded: hash >> 40) % stripes.count]
        let result: Result<R, OperationError> = stripe.mutex.withLock { _ in
            do throws(OperationError) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// Runs data commands on a lone node: synchronously, from its own store.
struct LocalKeyRunner {
    let node: LocalNode
    let stripes: KeyStripes

    func run(_ command: KeyCommand, into output: inout ByteBuffer, version: RESPVersion) {
        do throws(OperationError) {
            let reply: KeyReply
            var removed = 0
            if command.writes, command.keys.count == 1 {
                (reply, removed) = try stripes.withLock(command.keys[0]) { () throws(OperationError) in try execute(command, lockEachWrite: false) }
            } else {
                (reply, removed) = try execute(command, lockEachWrite: command.writes)
            }
            switch reply {
            case .value(let value): output.writeRESPValue(value, version)
            case .removedCount: output.writeRESPInteger(Int64(removed))
            }
        } catch {
            output.writeRESPError(RESPErrors.from(error))
        }
    }

    private func execute(_ command: KeyCommand, lockEachWrite: Bool) throws(OperationError) -> (KeyReply, Int) {
        var current: [StringEntry?] = []
        if command.readsFirst {
            current.reserveCapacity(command.keys.count)
            for key in command.keys { current.append(try node.stringEntry(key)) }
        }
        let effect = command.resolve(current, nowMillis: node.wallClock.nowMillis())
        var removed = 0
        for write in effect.writes {
            switch write {
            case .put(let key, let value, let expiresAt):
                if lockEachWrite {
                    try stripes.withLock(key) { () throws(OperationError) in try node.putString(key, value: value, expiresAtMillis: expiresAt) }
                } else {
                    try node.putString(key, value: value, expiresAtMillis: expiresAt)
                }
            case .remove(let key):
                let existed = lockEachWrite
                    ? try stripes.withLock(key) { () throws(OperationError) in try node.removeString(key) }
                    : try node.removeString(key)
                if existed { removed += 1 }
            }
        }
        return (effect.reply, removed)
    }
}

/// The reply to a coordinated command, still to come.
enum CoordinatedReply {
    case future(EventLoopFuture<RESPValue>)
    /// A plain GET of this key, for the connection to start with its own completion: GET and
    /// plain SET are nearly all of a cache's traffic, and a promise and a mapped future each
    /// cost more than the callback.
    case get(ByteBuffer, Coordinator)
    /// A plain SET (no condition, no old value, no KEEPTTL) of this entry, answered `+OK`.
    case set(StoredEntry, Coordinator)

    /// Starts the GET or SET (a future is already under way) and calls `completion` on
    /// `eventLoop` with the reply.
    func whenComplete(on eventLoop: any EventLoop, _ completion: @escaping (Result<RESPValue, any Error>) -> Void) {
        switch self {
        case .future(let future):
            future.assumeIsolated().whenComplete(completion)
        case .get(let key, let coordinator):
            let bound = NIOLoopBound(completion, eventLoop: eventLoop)
            coordinator.read(key, readQuorum: nil, on: eventLoop) { result in
                bound.value(result.map { $0.found ? .bulkString($0.value) : .null })
            }
        case .set(let entry, let coordinator):
            let bound = NIOLoopBound(completion, eventLoop: eventLoop)
            coordinator.write(entry, writeQuorum: nil, on: eventLoop) { result in
                bound.value(result.map { _ in .simpleString("OK") })
            }
        }
    }
}

/// Runs data commands in a cluster: reads and writes go through the coordinator with the
/// node's default R and W, exactly like binary-RPC GET/SET/DELETE.
struct ClusterKeyRunner {
    let node: LocalNode
    let coordinator: Coordinator

    func run(_ command: KeyCommand, on eventLoop: any EventLoop) -> CoordinatedReply {
        if let direct = runDirectly(command, on: eventLoop) { return direct }
        let node = self.node
        let coordinator = self.coordinator
        let reads: EventLoopFuture<[StringEntry?]>
        if command.readsFirst {
            let futures = command.keys.map { key in
                coordinator.read(key, readQuorum: nil, on: eventLoop).map { response -> StringEntry? in
                    response.found ? StringEntry(value: response.value, expiresAtMillis: response.expiresAtMillis ?? 0) : nil
                }
            }
            reads = futures.count == 1 ? futures[0].map { [$0] } : EventLoopFuture.whenAllSucceed(futures, on: eventLoop)
        } else {
            reads = eventLoop.makeSucceededFuture([])
        }
        return .future(reads.flatMap { current -> EventLoopFuture<RESPValue> in
            let effect = command.resolve(current, nowMillis: node.wallClock.nowMillis())
            let writes = effect.writes.map { write -> EventLoopFuture<Bool> in
                switch write {
                case .put(let key, let value, let expiresAt):
                    do throws(OperationError) {
                        try node.checkValue(value)
                    } catch {
                        return eventLoop.makeFailedFuture(error)
                    }
                    let entry = StoredEntry(key: key, state: .live, value: value, expiresAtMillis: expiresAt)
                    return coordinator.write(entry, writeQuorum: nil, on: eventLoop).map { _ in false }
                case .remove(let key):
                    return coordinator.write(StoredEntry(key: key, state: .tombstone), writeQuorum: nil, on: eventLoop).map(\.replacedLiveValue)
                }
            }
            let done = writes.isEmpty ? eventLoop.makeSucceededFuture([]) : EventLoopFuture.whenAllSucceed(writes, on: eventLoop)
            return done.map { removed in
                switch effect.reply {
                case .value(let value): value
                case .removedCount: .integer(Int64(removed.count { $0 }))
                }
            }
        }.recover { error in
            .error(RESPErrors.from(error))
        })
    }

    /// A SET whose reply is `+OK` (with EX/PX, say) skips the general read-resolve-write
    /// chain's half-dozen futures: the connection starts it with its completion. A value too
    /// large is refused here, with the error reply `recover` would give. Nil for other
    /// commands. (GET and `SET k v` never get here: `RESPSession` hands them over itself.)
    private func runDirectly(_ command: KeyCommand, on eventLoop: any EventLoop) -> CoordinatedReply? {
        switch command.operation {
        case .set(let value, let options) where !command.readsFirst && options.reply == .ok:
            do throws(OperationError) {
                try node.checkValue(value)
            } catch {
                return .future(eventLoop.makeFailedFuture(error))
            }
            let expiresAt: UInt64 = if case .at(let millis) = options.expiry { millis } else { 0 }
            return .set(StoredEntry(key: command.keys[0], state: .live, value: value, expiresAtMillis: expiresAt), coordinator)
        default:
            return nil
        }
    }
}
