import NIOCore

/// Every command the Redis front door serves.
enum RESPCommandKind: UInt8, Sendable, CaseIterable {
    // Connection
    case ping, echo, hello, auth, select, quit, client
    // Server
    case info, dbsize, command, config, slowlog, time, flushall, flushdb
    // Keyspace
    case scan, keys, memory
    // Strings and keys
    case get, set, setnx, setex, psetex, getset, mget, mset, del, unlink, exists, type
    case expire, pexpire, expireat, pexpireat, expiretime, pexpiretime, ttl, pttl, persist
    case incr, decr, incrby, decrby, append, strlen, getdel, getex
}

/// What `COMMAND INFO`/`COMMAND DOCS` say about a command, and its arity (Redis's
/// convention: n = exactly n words with the name; -n = at least n).
struct RESPCommandSpec: Sendable {
    var kind: RESPCommandKind
    var name: String
    var arity: Int
    var flags: [String]
    var firstKey = 0
    var lastKey = 0
    var step = 0
    var group: String
    var summary: String
    var subcommands: [RESPSubcommandSpec] = []
}

struct RESPSubcommandSpec: Sendable {
    var name: String
    var arity: Int
    var summary: String
}

enum RESPCommandTable {
    static let specs: [RESPCommandSpec] = [
        spec(.ping, -1, ["fast", "stale"], "connection", "Returns the server's liveliness response."),
        spec(.echo, 2, ["fast", "stale"], "connection", "Returns the given string."),
        spec(.hello, -1, ["noscript", "loading", "stale", "fast", "no_auth"], "connection", "Handshakes with the server: protocol version, authentication, client name."),
        spec(.auth, -2, ["noscript", "loading", "stale", "fast", "no_auth"], "connection", "Authenticates the connection."),
        spec(.select, 2, ["loading", "stale", "fast"], "connection", "Changes the selected database: only 0 exists."),
        spec(.quit, -1, ["noscript", "loading", "stale", "fast", "no_auth"], "connection", "Closes the connection."),
        spec(.client, -2, [], "connection", "A container for client connection commands.", subcommands: [
            RESPSubcommandSpec(name: "client|setname", arity: 3, summary: "Sets the connection name."),
            RESPSubcommandSpec(name: "client|getname", arity: 2, summary: "Returns the name of the connection."),
            RESPSubcommandSpec(name: "client|id", arity: 2, summary: "Returns the unique client ID of the connection."),
            RESPSubcommandSpec(name: "client|setinfo", arity: 4, summary: "Sets information specific to the client or connection."),
            RESPSubcommandSpec(name: "client|help", arity: 2, summary: "Returns helpful text about the different subcommands."),
        ]),
        spec(.info, -1, ["loading", "stale"], "server", "Returns information and statistics about the node."),
        spec(.dbsize, 1, ["readonly", "fast"], "server", "Returns the number of live keys this node stores (not the cluster's)."),
        spec(.command, -1, ["loading", "stale"], "server", "Returns detailed information about the supported commands.", subcommands: [
            RESPSubcommandSpec(name: "command|count", arity: 2, summary: "Returns a count of commands."),
            RESPSubcommandSpec(name: "command|docs", arity: -2, summary: "Returns documentary information about commands."),
            RESPSubcommandSpec(name: "command|info", arity: -2, summary: "Returns information about commands."),
            RESPSubcommandSpec(name: "command|list", arity: -2, summary: "Returns a list of command names."),
            RESPSubcommandSpec(name: "command|help", arity: 2, summary: "Returns helpful text about the different subcommands."),
        ]),
        spec(.config, -2, [], "server", "A container for server configuration commands.", subcommands: [
            RESPSubcommandSpec(name: "config|get", arity: -3, summary: "Returns the effective values of configuration parameters."),
            RESPSubcommandSpec(name: "config|set", arity: -4, summary: "Sets configuration parameters in-flight."),
            RESPSubcommandSpec(name: "config|resetstat", arity: 2, summary: "Resets the server's statistics."),
            RESPSubcommandSpec(name: "config|help", arity: 2, summary: "Returns helpful text about the different subcommands."),
        ]),
        spec(.time, 1, ["loading", "stale", "fast"], "server", "Returns the server time."),
        spec(.flushall, -1, ["write"], "server", "Removes all keys from every member of the cluster."),
        spec(.flushdb, -1, ["write"], "server", "Removes all keys from every member of the cluster (one database: the same as FLUSHALL)."),
        spec(.slowlog, -2, [], "server", "A container for slow log commands.", subcommands: [
            RESPSubcommandSpec(name: "slowlog|get", arity: -2, summary: "Returns the slow log's entries."),
            RESPSubcommandSpec(name: "slowlog|len", arity: 2, summary: "Returns the number of entries in the slow log."),
            RESPSubcommandSpec(name: "slowlog|reset", arity: 2, summary: "Clears all entries from the slow log."),
            RESPSubcommandSpec(name: "slowlog|help", arity: 2, summary: "Returns helpful text about the different subcommands."),
        ]),
        spec(.scan, -2, ["readonly"], "generic", "Iterates over the key names this node holds."),
        spec(.memory, -2, [], "server", "A container for memory diagnostics commands.", subcommands: [
            RESPSubcommandSpec(name: "memory|usage", arity: -3, summary: "Estimates the memory usage of a key."),
            RESPSubcommandSpec(name: "memory|help", arity: 2, summary: "Returns helpful text about the different subcommands."),
        ]),
        spec(.keys, 2, ["readonly"], "generic", "Returns all key names this node holds that match a pattern."),
        key(.get, 2, ["readonly", "fast"], 1, 1, 1, "Returns the string value of a key."),
        key(.set, -3, ["write", "denyoom"], 1, 1, 1, "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist."),
        key(.setnx, 3, ["write", "denyoom", "fast"], 1, 1, 1, "Sets the string value of a key only when the key doesn't exist."),
        key(.setex, 4, ["write", "denyoom"], 1, 1, 1, "Sets the string value and expiration time of a key."),
        key(.psetex, 4, ["write", "denyoom"], 1, 1, 1, "Sets both string value and expiration time in milliseconds of a key."),
        key(.getset, 3, ["write", "denyoom", "fast"], 1, 1, 1, "Returns the previous string value of a key after setting it to a new value."),
        key(.mget, -2, ["readonly", "fast"], 1, -1, 1, "Atomically returns the string values of one or more keys (not atomic here)."),
        key(.mset, -3, ["write", "denyoom"], 1, -1, 2, "Sets the string values of one or more keys (each key on its own here)."),
        key(.del, -2, ["write"], 1, -1, 1, "Deletes one or more keys."),
        key(.unlink, -2, ["write", "fast"], 1, -1, 1, "Deletes one or more keys (the same as DEL here)."),
        key(.exists, -2, ["readonly", "fast"], 1, -1, 1, "Determines whether one or more keys exist."),
        key(.type, 2, ["readonly", "fast"], 1, 1, 1, "Determines the type of value stored at a key."),
        key(.expire, -3, ["write", "fast"], 1, 1, 1, "Sets the expiration time of a key in seconds."),
        key(.pexpire, -3, ["write", "fast"], 1, 1, 1, "Sets the expiration time of a key in milliseconds."),
        key(.expireat, -3, ["write", "fast"], 1, 1, 1, "Sets the expiration time of a key to a Unix timestamp."),
        key(.pexpireat, -3, ["write", "fast"], 1, 1, 1, "Sets the expiration time of a key to a Unix milliseconds timestamp."),
        key(.expiretime, 2, ["readonly", "fast"], 1, 1, 1, "Returns the expiration time of a key as a Unix timestamp."),
        key(.pexpiretime, 2, ["readonly", "fast"], 1, 1, 1, "Returns the expiration time of a key as a Unix milliseconds timestamp."),
        key(.ttl, 2, ["readonly", "fast"], 1, 1, 1, "Returns the expiration time in seconds of a key."),
        key(.pttl, 2, ["readonly", "fast"], 1, 1, 1, "Returns the expiration time in milliseconds of a key."),
        key(.persist, 2, ["write", "fast"], 1, 1, 1, "Removes the expiration time of a key."),
        key(.incr, 2, ["write", "denyoom", "fast"], 1, 1, 1, "Increments the integer value of a key by one."),
        key(.decr, 2, ["write", "denyoom", "fast"], 1, 1, 1, "Decrements the integer value of a key by one."),
        key(.incrby, 3, ["write", "denyoom", "fast"], 1, 1, 1, "Increments the integer value of a key by a number."),
        key(.decrby, 3, ["write", "denyoom", "fast"], 1, 1, 1, "Decrements a number from the integer value of a key."),
        key(.append, 3, ["write", "denyoom", "fast"], 1, 1, 1, "Appends a string to the value of a key. Creates the key if it doesn't exist."),
        key(.strlen, 2, ["readonly", "fast"], 1, 1, 1, "Returns the length of a string value."),
        key(.getdel, 2, ["write", "fast"], 1, 1, 1, "Returns the string value of a key after deleting the key."),
        key(.getex, -2, ["write", "fast"], 1, 1, 1, "Returns the string value of a key after setting its expiration time."),
    ]

    /// Command names folded to upper case and packed into an integer, to the command's kind
    /// and arity: the lookup on every request, without building a string.
    private static let byPackedName: [UInt128: (kind: RESPCommandKind, arity: Int)] = {
        var table: [UInt128: (kind: RESPCommandKind, arity: Int)] = [:]
        for spec in specs {
            table[pack(ByteBuffer(string: spec.name))!] = (spec.kind, spec.arity)
        }
        return table
    }()

    static func spec(of kind: RESPCommandKind) -> RESPCommandSpec {
        specs[specIndex[Int(kind.rawValue)]]
    }

    private static let specIndex: [Int] = RESPCommandKind.allCases.map { kind in specs.firstIndex { $0.kind == kind }! }

    @inline(__always)
    static func lookup(_ name: ByteBuffer) -> (kind: RESPCommandKind, arity: Int)? {
        guard let packed = pack(name) else { return nil }
        // GET and SET are nearly all of a cache's traffic: answer them without hashing.
        switch packed {
        case 0x47_45_54: return (.get, 2)
        case 0x53_45_54: return (.set, -3)
        default: return byPackedName[packed]
        }
    }

    /// Up to 16 bytes, ASCII letters upper-cased; nil for longer names (no command has one).
    @inline(__always)
    static func pack(_ name: ByteBuffer) -> UInt128? {
        guard name.readableBytes > 0, name.readableBytes <= 16 else { return nil }
        return name.withUnsafeReadableBytes { bytes in
            var packed: UInt128 = 0
            for byte in bytes {
                let folded = (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) ? byte &- 32 : byte
                packed = packed << 8 | UInt128(folded)
            }
            return packed
        }
    }

    /// Whether `count` words (the name included) satisfy `arity`.
    @inline(__always)
    static func accepts(_ count: Int, arity: Int) -> Bool {
        arity >= 0 ? count == arity : count >= -arity
    }

    private static func spec(_ kind: RESPCommandKind, _ arity: Int, _ flags: [String], _ group: String, _ summary: String, subcommands: [RESPSubcommandSpec] = []) -> RESPCommandSpec {
        RESPCommandSpec(kind: kind, name: "\(kind)", arity: arity, flags: flags, group: group, summary: summary, subcommands: subcommands)
    }

    private static func key(_ kind: RESPCommandKind, _ arity: Int, _ flags: [String], _ first: Int, _ last: Int, _ step: Int, _ summary: String) -> RESPCommandSpec {
        RESPCommandSpec(kind: kind, name: "\(kind)", arity: arity, flags: flags, firstKey: first, lastKey: last, step: step, group: group(of: kind), summary: summary)
    }

    private static func group(of kind: RESPCommandKind) -> String {
        switch kind {
        case .del, .unlink, .exists, .type, .expire, .pexpire, .expireat, .pexpireat, .expiretime, .pexpiretime, .ttl, .pttl, .persist: "generic"
        default: "string"
        }
    }
}
