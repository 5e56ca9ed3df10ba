/// Why a frame could not be read or understood. Each case says whether the connection can
/// continue: a bad header loses the frame boundaries, a bad body does not.
public enum FrameError: Error, Sendable, CustomStringConvertible {
    /// The length field is larger than the configured maximum.
    case frameTooLarge(length: Int, limit: Int)
    /// The length field is smaller than the fixed header.
    case lengthTooSmall(length: Int)
    /// The peer speaks a protocol version this build does not.
    case unsupportedVersion(UInt8, requestID: UInt32)
    /// The message type is not in this build's schema.
    case unknownMessageType(UInt16, requestID: UInt32)
    /// The body does not decode as the message its type names.
    case malformedBody(type: MessageType, requestID: UInt32, reason: WireDecodingError)

    /// Whether the stream is still in sync after this error, so the connection can go on.
    public var isRecoverable: Bool {
        switch self {
        case .frameTooLarge, .lengthTooSmall: false
        case .unsupportedVersion, .unknownMessageType, .malformedBody: true
        }
    }

    /// The request the error belongs to, when the header was readable.
    public var requestID: UInt32 {
        switch self {
        case .frameTooLarge, .lengthTooSmall: 0
        case .unsupportedVersion(_, let id), .unknownMessageType(_, let id), .malformedBody(_, let id, _): id
        }
    }

    /// The protocol's error code for this failure.
    public var code: ErrorCode {
        switch self {
        case .frameTooLarge: .frameTooLarge
        case .lengthTooSmall, .malformedBody: .malformedFrame
        case .unsupportedVersion: .unsupportedVersion
        case .unknownMessageType: .unknownMessageType
        }
    }

    public var description: String {
        switch self {
        case .frameTooLarge(let length, let limit):
            "frame of \(length) bytes exceeds the limit of \(limit) bytes"
        case .lengthTooSmall(let length):
            "frame length \(length) is shorter than the \(Frame.headerRestBytes)-byte header"
        case .unsupportedVersion(let version, _):
            "protocol version \(version) is not supported (this node speaks \(WireProtocol.version))"
        case .unknownMessageType(let type, _):
            "unknown message type \(type)"
        case .malformedBody(let type, _, let reason):
            "malformed \(type) body: \(reason)"
        }
    }
}
