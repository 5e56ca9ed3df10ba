import NIOCore
import RingtailRESP

/// `COMMAND`, `COMMAND COUNT|INFO|DOCS|LIST|HELP`: enough of Redis's introspection for
/// redis-cli's hints and for client libraries that look commands up.
extension RESPSession {
    func commandCommand(_ command: RESPCommand, into output: inout ByteBuffer) -> Outcome {
        let specs = RESPCommandTable.specs
        guard command.count > 1 else {
            output.writeRESPValue(.array(specs.map(Self.info)), version)
            return .replied
        }
        let subcommand = command[1]
        let names = command.arguments.dropFirst(2)
        if subcommand.respEqualsIgnoringCase("COUNT") {
            guard command.count == 2 else { return wrongArity("command|count", into: &output) }
            output.writeRESPInteger(Int64(specs.count))
        } else if subcommand.respEqualsIgnoringCase("LIST") {
            output.writeRESPValue(.array(specs.map { .bulkString($0.name) }), version)
        } else if subcommand.respEqualsIgnoringCase("INFO") {
            let selected = names.isEmpty ? specs.map(Optional.some) : names.map(Self.spec(named:))
            output.writeRESPValue(.array(selected.map { $0.map(Self.info) ?? .nullArray }), version)
        } else if subcommand.respEqualsIgnoringCase("DOCS") {
            let selected = names.isEmpty ? specs : names.compactMap(Self.spec(named:))
            output.writeRESPValue(.map(selected.map { RESPValue.Pair(.bulkString($0.name), Self.docs($0)) }), version)
        } else if subcommand.respEqualsIgnoringCase("HELP") {
            output.writeRESPValue(.array([
                "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                "(no subcommand)", "    Return details about all commands.",
                "COUNT", "    Return the total number of commands.",
                "DOCS [<command-name> ...]", "    Return documentation details about multiple commands.",
                "INFO [<command-name> ...]", "    Return details about multiple commands.",
                "LIST", "    Return a list of all commands.",
            ].map { RESPValue.simpleString($0) }), version)
        } else {
            output.writeRESPError(RESPErrors.unknownSubcommand(subcommand, of: "command"))
        }
        return .replied
    }

    private func wrongArity(_ name: String, into output: inout ByteBuffer) -> Outcome {
        output.writeRESPError(RESPErrors.wrongArity(name))
        return .replied
    }

    private static func spec(named name: ByteBuffer) -> RESPCommandSpec? {
        RESPCommandTable.lookup(name).map { RESPCommandTable.spec(of: $0.kind) }
    }

    /// Redis 7's ten-element command description.
    private static func info(_ spec: RESPCommandSpec) -> RESPValue {
        .array([
            .bulkString(spec.name),
            .integer(Int64(spec.arity)),
            .set(spec.flags.map { .simpleString($0) }),
            .integer(Int64(spec.firstKey)),
            .integer(Int64(spec.lastKey)),
            .integer(Int64(spec.step)),
            .set(["@\(spec.group)", spec.flags.contains("write") ? "@write" : "@read"].map { .simpleString($0) }),
            .set([]),
            .array([]),
            .array(spec.subcommands.map { sub in
                .array([
                    .bulkString(sub.name), .integer(Int64(sub.arity)), .set([]), .integer(0), .integer(0), .integer(0),
                    .set([.simpleString("@\(spec.group)")]), .set([]), .array([]), .array([]),
                ])
            }),
        ])
    }

    private static func docs(_ spec: RESPCommandSpec) -> RESPValue {
        var pairs = [
            RESPValue.Pair(.bulkString("summary"), .bulkString(spec.summary)),
            RESPValue.Pair(.bulkString("since"), .bulkString("1.0.0")),
            RESPValue.Pair(.bulkString("group"), .bulkString(spec.group)),
        ]
        if !spec.subcommands.isEmpty {
            pairs.append(RESPValue.Pair(.bulkString("subcommands"), .map(spec.subcommands.map { sub in
                RESPValue.Pair(.bulkString(sub.name), .map([
                    RESPValue.Pair(.bulkString("summary"), .bulkString(sub.summary)),
                    RESPValue.Pair(.bulkString("since"), .bulkString("1.0.0")),
                    RESPValue.Pair(.bulkString("group"), .bulkString(spec.group)),
                ]))
            })))
        }
        return .map(pairs)
    }
}
