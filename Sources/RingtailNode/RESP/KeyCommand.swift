import NIOCore
import RingtailRESP

/// A data command, parsed and checked, in the form both paths run: the lone node against its
/// store, and the coordinator across replicas. `keys` are read first when `readsFirst`, and
/// `resolve` (KeyCommand+Resolve.swift) turns what they hold into writes and a reply.
struct KeyCommand: Sendable {
    enum Operation: Sendable {
        case get
        case mget
        case exists
        case type
        /// TTL, PTTL, EXPIRETIME, PEXPIRETIME.
        case expiry(milliseconds: Bool, absolute: Bool)
        case strlen
        case set(value: ByteBuffer, options: SetOptions)
        /// One value per key.
        case mset(values: [ByteBuffer])
        /// DEL and UNLINK.
        case delete
        case getdel
        case getex(ExpiryChange?)
        case expire(ExpiryChange, ExpireCondition)
        case persist
        case incrBy(Int64)
        case append(ByteBuffer)
    }

    /// What SET and its relatives do.
    struct SetOptions: Sendable {
        enum Condition: Sendable { case always, ifAbsent, ifPresent }
        /// How the reply looks: SET's `OK`/nil, SETNX's 1/0, or the old value (SET … GET, GETSET).
        enum Reply: Sendable { case ok, integer, oldValue }
        var condition: Condition = .always
        var reply: Reply = .ok
        var expiry: ExpiryChange? = nil
    }

    /// A new expiry. `at(0)` never happens: a time at or before now still expires the key.
    enum ExpiryChange: Sendable, Equatable {
        case at(millis: UInt64)
        case persist
        case keep
    }

    enum ExpireCondition: Sendable { case always, nx, xx, gt, lt }

    var operation: Operation
    var keys: [ByteBuffer]

    /// Whether the command needs the keys' current values before it can write or reply.
    var readsFirst: Bool {
        switch operation {
        case .mset, .delete: false
        case .set(_, let options): options.condition != .always || options.reply == .oldValue || options.expiry == .keep
        default: true
        }
    }

    /// Whether the command may write.
    var writes: Bool {
        switch operation {
        case .get, .mget, .exists, .type, .expiry, .strlen: false
        default: true
        }
    }
}
