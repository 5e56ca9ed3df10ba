import NIOCore
import RingtailRESP

/// `SCAN` and `KEYS` over this node's own store: the keys of the partitions it holds
/// (every key when it is the only node, or when N equals the number of nodes), as a Redis
/// Cluster node lists only its own slots.
extension RESPSession {
    /// Slots a SCAN call visits when no COUNT is given, as in Redis.
    static let defaultScanCount = 10

    /// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`.
    func scan(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        // Redis reads the cursor as C's strtoul does: "-1" is a (huge) cursor, not an error.
        let text = String(buffer: command[1])
        guard let cursor = UInt64(text) ?? Int64(text).map({ UInt64(bitPattern: $0) }) else {
            output.writeRESPError("ERR invalid cursor")
            return .replied
        }
        var pattern = RESPGlob("*".utf8)
        var count = Self.defaultScanCount
        var onlyStrings = true
        var index = 2
        while index < command.count {
            guard index + 1 < command.count else {
                output.writeRESPError(RESPErrors.syntax)
                return .replied
            }
            let option = command[index], value = command[index + 1]
            if option.respEqualsIgnoringCase("MATCH") {
                pattern = RESPGlob(value.readableBytesView)
            } else if option.respEqualsIgnoringCase("COUNT") {
                guard let parsed = value.respInt64() else {
                    output.writeRESPError(RESPErrors.notInteger)
                    return .replied
                }
                guard parsed >= 1 else {
                    output.writeRESPError(RESPErrors.syntax)
                    return .replied
                }
                count = Int(clamping: parsed)
            } else if option.respEqualsIgnoringCase("TYPE") {
                // Every value is a string: any other type finds nothing.
                onlyStrings = value.respEqualsIgnoringCase("string")
            } else {
                output.writeRESPError(RESPErrors.syntax)
                return .replied
            }
            index += 2
        }
        var keys: [RESPValue] = []
        let next = node.store.scan(from: cursor, limit: count, nowMillis: node.wallClock.nowMillis()) { key in
            if onlyStrings, pattern.matches(key) { keys.append(.bulkString(ByteBuffer(bytes: key))) }
        }
        output.writeRESPValue(.array([.bulkString(ByteBuffer(string: "\(next)")), .array(keys)]), version)
        return .replied
    }

    /// `KEYS pattern`: every matching key, shard by shard (each shard's keys as of one moment).
    func keys(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        let pattern = RESPGlob(command[1].readableBytesView)
        var keys: [RESPValue] = []
        _ = node.store.scan(from: 0, limit: .max, nowMillis: node.wallClock.nowMillis()) { key in
            if pattern.matches(key) { keys.append(.bulkString(ByteBuffer(bytes: key))) }
        }
        output.writeRESPValue(.array(keys), version)
        return .replied
    }
}

/// `MEMORY USAGE key [SAMPLES n]` and `MEMORY HELP`.
extension RESPSession {
    func memory(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        let subcommand = command[1]
        if subcommand.respEqualsIgnoringCase("USAGE") {
            guard command.count >= 3 else {
                output.writeRESPError(RESPErrors.wrongArity("memory|usage"))
                return .replied
            }
            // SAMPLES sizes Redis's estimate of aggregate types; a string is measured exactly.
            var index = 3
            while index < command.count {
                guard index + 1 < command.count, command[index].respEqualsIgnoringCase("SAMPLES") else {
                    output.writeRESPError(RESPErrors.syntax)
                    return .replied
                }
                guard command[index + 1].respInt64() != nil else {
                    output.writeRESPError(RESPErrors.notInteger)
                    return .replied
                }
                index += 2
            }
            let usage = command[2].withUnsafeReadableBytes { node.store.memoryUsage(key: $0, nowMillis: node.wallClock.nowMillis()) }
            if let usage { output.writeRESPInteger(Int64(usage)) } else { output.writeRESPNull(version) }
        } else if subcommand.respEqualsIgnoringCase("HELP"), command.count == 2 {
            output.writeRESPValue(.array([
                "MEMORY <subcommand> [<arg> ...]. Subcommands are:",
                "USAGE <key> [SAMPLES <count>]",
                "    Bytes this node's copy of <key> takes: key, value, entry header, index word.",
                "HELP", "    This text.",
            ].map { RESPValue.simpleString($0) }), version)
        } else {
            output.writeRESPError(RESPErrors.unknownSubcommand(subcommand, of: "memory"))
        }
        return .replied
    }
}
