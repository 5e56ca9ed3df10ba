import NIOCore
import NIOHTTP1
import RingtailWire

/// An HTTP response of the admin listener: status, content type, body and any further headers.
struct AdminResponse: Sendable {
    var status: HTTPResponseStatus
    var contentType: String
    var body: ByteBuffer
    var headers: [(name: String, value: String)] = []

    static func json(_ status: HTTPResponseStatus, _ text: String) -> AdminResponse {
        AdminResponse(status: status, contentType: "application/json", body: ByteBuffer(string: text + "\n"))
    }

    static func error(_ status: HTTPResponseStatus, _ message: String, code: String) -> AdminResponse {
        .json(status, "{\"error\":\(JSON.string(message)),\"code\":\(JSON.string(code))}")
    }

    /// The response for a failed key operation.
    static func error(_ error: any Error) -> AdminResponse {
        guard let error = error as? OperationError else {
            return .error(.internalServerError, "\(error)", code: "internalError")
        }
        let status: HTTPResponseStatus
        switch error.code {
        case .keyTooLarge, .valueTooLarge: status = .payloadTooLarge
        case .outOfMemory: status = .insufficientStorage
        case .invalidArgument: status = .badRequest
        case .quorumFailed, .timeout, .shuttingDown: status = .serviceUnavailable
        default: status = .internalServerError
        }
        return .error(status, error.message, code: "\(error.code)")
    }
}

/// Minimal JSON text building.
enum JSON {
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }
}
