import NIOCore
import RingtailRESP

/// `SLOWLOG GET [count] | LEN | RESET | HELP`, over the commands that took at least
/// `--slowlog-slower-than` on this node.
extension RESPSession {
    func slowlog(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        let subcommand = command[1]
        func arity(_ allowed: ClosedRange<Int>, _ fullName: String) -> Bool {
            if allowed.contains(command.count) { return true }
            output.writeRESPError(RESPErrors.wrongArity(fullName))
            return false
        }
        if subcommand.respEqualsIgnoringCase("GET") {
            guard command.count <= 3 else {
                // Redis's words for a subcommand given too many arguments.
                output.writeRESPError("ERR unknown subcommand or wrong number of arguments for '\(String(buffer: subcommand))'. Try SLOWLOG HELP.")
                return .replied
            }
            var limit: Int? = 10
            if command.count == 3 {
                guard let count = command[2].respInt64() else {
                    output.writeRESPError(RESPErrors.notInteger)
                    return .replied
                }
                guard count >= -1 else {
                    output.writeRESPError("ERR count should be greater than or equal to -1")
                    return .replied
                }
                limit = count == -1 ? nil : Int(count)
            }
            let entries = server.slowLog.withLock { $0.newest(limit) }
            output.writeRESPValue(.array(entries.map(Self.reply)), version)
        } else if subcommand.respEqualsIgnoringCase("LEN") {
            guard arity(2...2, "slowlog|len") else { return .replied }
            output.writeRESPInteger(Int64(server.slowLog.withLock { $0.count }))
        } else if subcommand.respEqualsIgnoringCase("RESET") {
            guard arity(2...2, "slowlog|reset") else { return .replied }
            server.slowLog.withLock { $0.reset() }
            output.writeRESPOK()
        } else if subcommand.respEqualsIgnoringCase("HELP"), command.count == 2 {
            output.writeRESPValue(.array([
                "SLOWLOG <subcommand> [<arg> ...]. Subcommands are:",
                "GET [<count>]",
                "    The newest <count> entries (10 when not given, every one with -1), each:",
                "    id, Unix time, duration in microseconds, the command's words, client address, client name.",
                "LEN", "    How many entries the log holds.",
                "RESET", "    Empties the log.",
                "HELP", "    This text.",
            ].map { RESPValue.simpleString($0) }), version)
        } else {
            output.writeRESPError(RESPErrors.unknownSubcommand(subcommand, of: "slowlog"))
        }
        return .replied
    }

    private static func reply(_ entry: SlowLog.Entry) -> RESPValue {
        .array([
            .integer(entry.id), .integer(entry.unixSeconds), .integer(entry.micros),
            .array(entry.arguments.map { .bulkString(ByteBuffer(bytes: $0)) }),
            .bulkString(ByteBuffer(string: entry.clientAddress)), .bulkString(ByteBuffer(string: entry.clientName)),
        ])
    }
}
