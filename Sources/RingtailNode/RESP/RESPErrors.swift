import NIOCore
import RingtailRESP
import RingtailWire

/// The error replies of the Redis front door: Redis's exact words where Redis has the same
/// error, Ringtail's own (documented in docs/REDIS.md) where it does not.
enum RESPErrors {
    static let syntax = "ERR syntax error"
    static let notInteger = "ERR value is not an integer or out of range"
    static let overflow = "ERR increment or decrement would overflow"
    static let noAuth = "NOAUTH Authentication required."
    static let wrongPass = "WRONGPASS invalid username-password pair or user is disabled."
    static let authWithoutPassword = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
    static let helloNeedsAuth = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
    static let noProto = "NOPROTO unsupported protocol version"
    static let protocolVersionNotInteger = "ERR Protocol version is not an integer or out of range"
    static let dbIndexOutOfRange = "ERR DB index is out of range"
    static let badClientName = "ERR Client names cannot contain spaces, newlines or special characters."
    static let expireOptionsNXAndOthers = "ERR NX and XX, GT or LT options at the same time are not compatible"
    static let expireOptionsGTAndLT = "ERR GT and LT options at the same time are not compatible"
    static let maxClients = "ERR max number of clients reached"

    static func wrongArity(_ name: String) -> String {
        "ERR wrong number of arguments for '\(name)' command"
    }

    static func invalidExpireTime(_ command: String) -> String {
        "ERR invalid expire time in '\(command)' command"
    }

    static func unknownSubcommand(_ subcommand: ByteBuffer, of container: String) -> String {
        "ERR unknown subcommand '\(text(subcommand, limit: 128))'. Try \(container.uppercased()) HELP."
    }

    static func unsupportedOption(_ option: ByteBuffer) -> String {
        "ERR Unsupported option \(text(option, limit: 128))"
    }

    /// Redis's words: the name cut at 128 bytes, then up to ~128 bytes of quoted arguments,
    /// each followed by a space.
    static func unknownCommand(_ command: RESPCommand) -> String {
        var arguments = ""
        var index = 1
        while index < command.count, arguments.utf8.count < 128 {
            arguments += "'\(text(command[index], limit: 128 - arguments.utf8.count))' "
            index += 1
        }
        return "ERR unknown command '\(text(command.name, limit: 128))', with args beginning with: \(arguments)"
    }

    /// The reply for an operation that failed in the store or in the cluster.
    static func from(_ error: OperationError) -> String {
        switch error.code {
        case .outOfMemory: "OOM command not allowed when used memory > 'maxmemory'. (\(error.message))"
        case .quorumFailed: "NOQUORUM \(error.message)"
        case .timeout: "TIMEOUT \(error.message)"
        case .shuttingDown: "SHUTDOWN \(error.message)"
        case .keyTooLarge, .valueTooLarge, .invalidArgument: "ERR \(error.message)"
        default: "ERR \(error.code): \(error.message)"
        }
    }

    static func from(_ error: any Error) -> String {
        if let operation = error as? OperationError { return from(operation) }
        return "ERR \(error)"
    }

    private static func text(_ bytes: ByteBuffer, limit: Int) -> String {
        var view = bytes
        if view.readableBytes > limit { view.moveWriterIndex(to: view.readerIndex + max(0, limit)) }
        return String(decoding: view.readableBytesView, as: UTF8.self)
    }
}
