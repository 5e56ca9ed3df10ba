import NIOCore
import RingtailRESP

/// A write a data command makes.
enum KeyWrite: Sendable {
    case put(key: ByteBuffer, value: ByteBuffer, expiresAtMillis: UInt64)
    case remove(key: ByteBuffer)
}

/// How a data command answers once its writes are done.
enum KeyReply: Sendable {
    case value(RESPValue)
    /// DEL's count: the removals that found a live value.
    case removedCount
}

struct KeyEffect: Sendable {
    var writes: [KeyWrite] = []
    var reply: KeyReply
}

/// The semantics of the data commands, with no I/O: what the keys hold in, writes and the
/// reply out. Both paths run this, so a lone node and a cluster answer alike.
extension KeyCommand {
    /// `current` holds one entry per key, read at `nowMillis`, when `readsFirst`; else it is empty.
    func resolve(_ current: [StringEntry?], nowMillis: UInt64) -> KeyEffect {
        let old = current.first ?? nil
        let key = keys[0]
        switch operation {
        case .get:
            return KeyEffect(reply: .value(old.map { .bulkString($0.value) } ?? .null))
        case .mget:
            return KeyEffect(reply: .value(.array(current.map { $0.map { .bulkString($0.value) } ?? .null })))
        case .exists:
            return KeyEffect(reply: .value(.integer(Int64(current.count { $0 != nil }))))
        case .type:
            return KeyEffect(reply: .value(.simpleString(old == nil ? "none" : "string")))
        case .strlen:
            return KeyEffect(reply: .value(.integer(Int64(old?.value.readableBytes ?? 0))))
        case .expiry(let milliseconds, let absolute):
            guard let old else { return KeyEffect(reply: .value(.integer(-2))) }
            guard old.expiresAtMillis != 0 else { return KeyEffect(reply: .value(.integer(-1))) }
            let at = Int64(clamping: old.expiresAtMillis)
            let value = absolute ? at : max(0, at - Int64(clamping: nowMillis))
            return KeyEffect(reply: .value(.integer(milliseconds ? value : (value + 500) / 1000)))
        case .set(let value, let options):
            let allowed = switch options.condition {
            case .always: true
            case .ifAbsent: old == nil
            case .ifPresent: old != nil
            }
            let expiresAt: UInt64 = switch options.expiry {
            case nil, .persist: 0
            case .keep: old?.expiresAtMillis ?? 0
            case .at(let millis): millis
            }
            let writes = allowed ? [KeyWrite.put(key: key, value: value, expiresAtMillis: expiresAt)] : []
            let reply: RESPValue = switch options.reply {
            case .ok: allowed ? .simpleString("OK") : .null
            case .integer: .integer(allowed ? 1 : 0)
            case .oldValue: old.map { .bulkString($0.value) } ?? .null
            }
            return KeyEffect(writes: writes, reply: .value(reply))
        case .mset(let values):
            let writes = zip(keys, values).map { KeyWrite.put(key: $0, value: $1, expiresAtMillis: 0) }
            return KeyEffect(writes: writes, reply: .value(.simpleString("OK")))
        case .delete:
            return KeyEffect(writes: keys.map { KeyWrite.remove(key: $0) }, reply: .removedCount)
        case .getdel:
            guard let old else { return KeyEffect(reply: .value(.null)) }
            return KeyEffect(writes: [.remove(key: key)], reply: .value(.bulkString(old.value)))
        case .getex(let change):
            guard let old else { return KeyEffect(reply: .value(.null)) }
            let reply = KeyReply.value(.bulkString(old.value))
            switch change {
            case nil, .keep:
                return KeyEffect(reply: reply)
            case .persist:
                guard old.expiresAtMillis != 0 else { return KeyEffect(reply: reply) }
                return KeyEffect(writes: [.put(key: key, value: old.value, expiresAtMillis: 0)], reply: reply)
            case .at(let millis):
                let write: KeyWrite = millis <= nowMillis ? .remove(key: key) : .put(key: key, value: old.value, expiresAtMillis: millis)
                return KeyEffect(writes: [write], reply: reply)
            }
        case .expire(let change, let condition):
            guard let old, case .at(let millis) = change else { return KeyEffect(reply: .value(.integer(0))) }
            let current = old.expiresAtMillis
            // A key without an expiry counts as expiring never: GT cannot raise it, LT can lower it.
            let allowed = switch condition {
            case .always: true
            case .nx: current == 0
            case .xx: current != 0
            case .gt: current != 0 && millis > current
            case .lt: current == 0 || millis < current
            }
            guard allowed else { return KeyEffect(reply: .value(.integer(0))) }
            let write: KeyWrite = millis <= nowMillis ? .remove(key: key) : .put(key: key, value: old.value, expiresAtMillis: millis)
            return KeyEffect(writes: [write], reply: .value(.integer(1)))
        case .persist:
            guard let old, old.expiresAtMillis != 0 else { return KeyEffect(reply: .value(.integer(0))) }
            return KeyEffect(writes: [.put(key: key, value: old.value, expiresAtMillis: 0)], reply: .value(.integer(1)))
        case .incrBy(let delta):
            var number: Int64 = 0
            if let old {
                guard let parsed = Self.strictInteger(old.value) else { return KeyEffect(reply: .value(.error(RESPErrors.notInteger))) }
                number = parsed
            }
            let (sum, overflow) = number.addingReportingOverflow(delta)
            guard !overflow else { return KeyEffect(reply: .value(.error(RESPErrors.overflow))) }
            var text = ByteBuffer()
            text.writeRESPDecimal(sum)
            return KeyEffect(writes: [.put(key: key, value: text, expiresAtMillis: old?.expiresAtMillis ?? 0)], reply: .value(.integer(sum)))
        case .append(let suffix):
            var value = old?.value ?? ByteBuffer()
            value.writeImmutableBuffer(suffix)
            return KeyEffect(writes: [.put(key: key, value: value, expiresAtMillis: old?.expiresAtMillis ?? 0)], reply: .value(.integer(Int64(value.readableBytes))))
        }
    }

    /// A stored value as INCR reads it: canonical decimal only (no `+`, spaces or leading
    /// zeros, like Redis's `string2ll`).
    static func strictInteger(_ value: ByteBuffer) -> Int64? {
        guard let number = value.respInt64() else { return nil }
        let bytes = value.readableBytesView
        let digits = bytes.first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        if digits.first == UInt8(ascii: "0"), bytes.count > 1 { return nil }
        return number
    }
}
