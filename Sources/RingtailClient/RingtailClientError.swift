import RingtailWire

/// Why a client request failed.
public enum RingtailClientError: Error, Sendable, CustomStringConvertible {
    /// No connection could be made to the node.
    case connectionFailed(address: String, reason: String)
    /// The connection closed before the response arrived.
    case connectionClosed
    /// No response within the request timeout.
    case timeout(milliseconds: Int64)
    /// The node answered with an error.
    case server(code: ErrorCode, message: String)
    /// The node answered with something this client cannot understand.
    case protocolViolation(String)

    /// True for failures to reach the node at all (as opposed to answers from it).
    public var isConnectionProblem: Bool {
        switch self {
        case .connectionFailed, .connectionClosed, .timeout: true
        case .server, .protocolViolation: false
        }
    }

    public var description: String {
        switch self {
        case .connectionFailed(let address, let reason): "cannot connect to \(address): \(reason)"
        case .connectionClosed: "the connection closed before the response arrived"
        case .timeout(let milliseconds): "no response within \(milliseconds) ms"
        case .server(let code, let message): "server error (\(code)): \(message)"
        case .protocolViolation(let detail): "protocol violation: \(detail)"
        }
    }
}
