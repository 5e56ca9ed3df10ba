import NIOCore
import RingtailRESP

extension KeyCommand {
    /// Parses the arguments of a data command whose arity was already checked; the error is
    /// the reply text. Relative expiries become absolute here, against `nowMillis`.
    static func parse(_ kind: RESPCommandKind, _ command: RESPCommand, nowMillis: UInt64) -> Result<KeyCommand, RESPCommandError> {
        parse(kind, command, clock: { nowMillis })
    }

    /// `parse(_:_:nowMillis:)` reading `clock` only for a relative expiry: GET and a plain SET,
    /// nearly all of a cache's traffic, need no clock reading.
    static func parse(_ kind: RESPCommandKind, _ command: RESPCommand, clock: () -> UInt64) -> Result<KeyCommand, RESPCommandError> {
        do throws(RESPCommandError) {
            return .success(try parseOrThrow(kind, command, nowMillis: clock))
        } catch {
            return .failure(error)
        }
    }

    private static func parseOrThrow(_ kind: RESPCommandKind, _ command: RESPCommand, nowMillis: () -> UInt64) throws(RESPCommandError) -> KeyCommand {
        let arguments = command.arguments
        // Only the multi-key commands need the arguments after the name as an array of their own.
        var rest: [ByteBuffer] { Array(arguments.dropFirst()) }
        let key = arguments.count > 1 ? arguments[1] : ByteBuffer()
        switch kind {
        case .get: return KeyCommand(operation: .get, keys: [key])
        case .mget: return KeyCommand(operation: .mget, keys: rest)
        case .exists: return KeyCommand(operation: .exists, keys: rest)
        case .type: return KeyCommand(operation: .type, keys: [key])
        case .strlen: return KeyCommand(operation: .strlen, keys: [key])
        case .ttl: return KeyCommand(operation: .expiry(milliseconds: false, absolute: false), keys: [key])
        case .pttl: return KeyCommand(operation: .expiry(milliseconds: true, absolute: false), keys: [key])
        case .expiretime: return KeyCommand(operation: .expiry(milliseconds: false, absolute: true), keys: [key])
        case .pexpiretime: return KeyCommand(operation: .expiry(milliseconds: true, absolute: true), keys: [key])
        case .del, .unlink: return KeyCommand(operation: .delete, keys: rest)
        case .getdel: return KeyCommand(operation: .getdel, keys: [key])
        case .persist: return KeyCommand(operation: .persist, keys: [key])
        case .incr: return KeyCommand(operation: .incrBy(1), keys: [key])
        case .decr: return KeyCommand(operation: .incrBy(-1), keys: [key])
        case .incrby:
            return KeyCommand(operation: .incrBy(try integer(arguments[2])), keys: [key])
        case .decrby:
            let decrement = try integer(arguments[2])
            guard decrement != .min else { throw RESPCommandError("ERR decrement would overflow") }
            return KeyCommand(operation: .incrBy(-decrement), keys: [key])
        case .append: return KeyCommand(operation: .append(arguments[2]), keys: [key])
        case .mset:
            let rest = rest
            guard rest.count.isMultiple(of: 2) else { throw RESPCommandError(RESPErrors.wrongArity("mset")) }
            let keys = stride(from: 0, to: rest.count, by: 2).map { rest[$0] }
            let values = stride(from: 1, to: rest.count, by: 2).map { rest[$0] }
            return KeyCommand(operation: .mset(values: values), keys: keys)
        case .set:
            let options = try setOptions(arguments.dropFirst(3), nowMillis: nowMillis)
            return KeyCommand(operation: .set(value: arguments[2], options: options), keys: [key])
        case .setnx:
            return KeyCommand(operation: .set(value: arguments[2], options: SetOptions(condition: .ifAbsent, reply: .integer)), keys: [key])
        case .getset:
            return KeyCommand(operation: .set(value: arguments[2], options: SetOptions(reply: .oldValue)), keys: [key])
        case .setex, .psetex:
            let name = kind == .setex ? "setex" : "psetex"
            let expiry = try expiryOption(arguments[2], unit: kind == .setex ? 1000 : 1, absolute: false, nowMillis: nowMillis, command: name)
            return KeyCommand(operation: .set(value: arguments[3], options: SetOptions(expiry: expiry)), keys: [key])
        case .getex:
            return KeyCommand(operation: .getex(try getexChange(arguments.dropFirst(2), nowMillis: nowMillis)), keys: [key])
        case .expire, .pexpire, .expireat, .pexpireat:
            let absolute = kind == .expireat || kind == .pexpireat
            let unit: Int64 = kind == .expire || kind == .expireat ? 1000 : 1
            let when = try expireTime(arguments[2], unit: unit, absolute: absolute, nowMillis: nowMillis, command: "\(kind)")
            let condition = try expireCondition(arguments.dropFirst(3))
            return KeyCommand(operation: .expire(.at(millis: when), condition), keys: [key])
        default:
            throw RESPCommandError("ERR \(kind) is not a key command")
        }
    }

    /// SET's options: `NX|XX`, `GET`, one of `EX|PX|EXAT|PXAT n` or `KEEPTTL`.
    private static func setOptions(_ words: ArraySlice<ByteBuffer>, nowMillis: () -> UInt64) throws(RESPCommandError) -> SetOptions {
        var options = SetOptions()
        var pendingExpiry: (word: ByteBuffer, unit: Int64, absolute: Bool)?
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            let hasNext = index + 1 < words.endIndex
            if word.respEqualsIgnoringCase("NX"), options.condition != .ifPresent {
                options.condition = .ifAbsent
            } else if word.respEqualsIgnoringCase("XX"), options.condition != .ifAbsent {
                options.condition = .ifPresent
            } else if word.respEqualsIgnoringCase("GET") {
                options.reply = .oldValue
            } else if word.respEqualsIgnoringCase("KEEPTTL"), options.expiry == nil {
                options.expiry = .keep
            } else if hasNext, options.expiry == nil, let (unit, absolute) = expiryUnit(word) {
                // Checked after the whole line, as Redis does: a syntax error wins over a bad number.
                options.expiry = .at(millis: 0)
                index += 1
                pendingExpiry = (words[index], unit, absolute)
            } else {
                throw RESPCommandError(RESPErrors.syntax)
            }
            index += 1
        }
        if let pendingExpiry {
            options.expiry = try expiryOption(pendingExpiry.word, unit: pendingExpiry.unit, absolute: pendingExpiry.absolute, nowMillis: nowMillis, command: "set")
        }
        return options
    }

    /// GETEX's options: one of `EX|PX|EXAT|PXAT n` or `PERSIST`, or none.
    private static func getexChange(_ words: ArraySlice<ByteBuffer>, nowMillis: () -> UInt64) throws(RESPCommandError) -> ExpiryChange? {
        guard let first = words.first else { return nil }
        if words.count == 1, first.respEqualsIgnoringCase("PERSIST") { return .persist }
        guard words.count == 2, let (unit, absolute) = expiryUnit(first) else { throw RESPCommandError(RESPErrors.syntax) }
        return try expiryOption(words[words.startIndex + 1], unit: unit, absolute: absolute, nowMillis: nowMillis, command: "getex")
    }

    private static func expiryUnit(_ word: ByteBuffer) -> (unit: Int64, absolute: Bool)? {
        if word.respEqualsIgnoringCase("EX") { return (1000, false) }
        if word.respEqualsIgnoringCase("PX") { return (1, false) }
        if word.respEqualsIgnoringCase("EXAT") { return (1000, true) }
        if word.respEqualsIgnoringCase("PXAT") { return (1, true) }
        return nil
    }

    /// An expiry option (positive, as SET and GETEX require) as an absolute time.
    private static func expiryOption(_ word: ByteBuffer, unit: Int64, absolute: Bool, nowMillis: () -> UInt64, command: String) throws(RESPCommandError) -> ExpiryChange {
        let value = try integer(word)
        guard value > 0 else { throw RESPCommandError(RESPErrors.invalidExpireTime(command)) }
        return .at(millis: UInt64(try expireTime(word, unit: unit, absolute: absolute, nowMillis: nowMillis, command: command)))
    }

    /// EXPIRE's time as absolute milliseconds; at most 1 (long past) for times before the epoch.
    private static func expireTime(_ word: ByteBuffer, unit: Int64, absolute: Bool, nowMillis: () -> UInt64, command: String) throws(RESPCommandError) -> UInt64 {
        let value = try integer(word)
        let (scaled, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow else { throw RESPCommandError(RESPErrors.invalidExpireTime(command)) }
        let base = absolute ? 0 : Int64(clamping: nowMillis())
        let (when, overflow2) = scaled.addingReportingOverflow(base)
        guard !overflow2 else { throw RESPCommandError(RESPErrors.invalidExpireTime(command)) }
        return UInt64(max(1, when))
    }

    private static func expireCondition(_ words: ArraySlice<ByteBuffer>) throws(RESPCommandError) -> ExpireCondition {
        var nx = false, xx = false, gt = false, lt = false
        for word in words {
            if word.respEqualsIgnoringCase("NX") { nx = true }
            else if word.respEqualsIgnoringCase("XX") { xx = true }
            else if word.respEqualsIgnoringCase("GT") { gt = true }
            else if word.respEqualsIgnoringCase("LT") { lt = true }
            else { throw RESPCommandError(RESPErrors.unsupportedOption(word)) }
        }
        if nx && (xx || gt || lt) { throw RESPCommandError(RESPErrors.expireOptionsNXAndOthers) }
        if gt && lt { throw RESPCommandError(RESPErrors.expireOptionsGTAndLT) }
        return nx ? .nx : xx ? .xx : gt ? .gt : lt ? .lt : .always
    }

    private static func integer(_ word: ByteBuffer) throws(RESPCommandError) -> Int64 {
        guard let value = word.respInt64() else { throw RESPCommandError(RESPErrors.notInteger) }
        return value
    }
}

/// A command refused before it ran; `message` is the whole error reply text.
struct RESPCommandError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}
