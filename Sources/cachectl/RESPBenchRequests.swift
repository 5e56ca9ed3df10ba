import NIOCore
import RingtailRESP

/// The Redis commands `cachectl bench --resp` sends, encoded as RESP2 arrays of bulk strings,
/// and how their replies are judged. Everything but the key is encoded once per run: a SET is
/// three buffer copies and the key's digits.
struct RESPBenchRequests: Sendable {
    /// `WAIT replicas timeout` after each SET; nil when writes are not confirmed.
    struct Wait: Sendable {
        var replicas: Int
        var timeoutMillis: Int
    }

    /// `*3 $3 SET $<key length>`, then the key.
    private let setHead: ByteBuffer
    /// CRLF after the key, then the value as a bulk string.
    private let setTail: ByteBuffer
    /// `*2 $3 GET $<key length>`, then the key.
    private let getHead: ByteBuffer
    let waitCommand: ByteBuffer?
    let wait: Wait?

    init(value: ByteBuffer, wait: Wait?) {
        self.wait = wait
        var head = ByteBuffer()
        head.writeRESPArrayHeader(3)
        head.writeRESPBulkString("SET")
        head.writeRESPBulkHeader(BenchWorkload.keyLength)
        setHead = head
        var tail = ByteBuffer()
        tail.writeStaticString("\r\n")
        tail.writeRESPBulkString(value)
        setTail = tail
        head = ByteBuffer()
        head.writeRESPArrayHeader(2)
        head.writeRESPBulkString("GET")
        head.writeRESPBulkHeader(BenchWorkload.keyLength)
        getHead = head
        waitCommand = wait.map { wait in
            var command = ByteBuffer()
            command.writeRESPArrayHeader(3)
            command.writeRESPBulkString("WAIT")
            command.writeRESPBulkString(String(wait.replicas))
            command.writeRESPBulkString(String(wait.timeoutMillis))
            return command
        }
    }

    /// `PING`, sent once per connection before the tests.
    static let ping: ByteBuffer = {
        var command = ByteBuffer()
        command.writeRESPArrayHeader(1)
        command.writeRESPBulkString("PING")
        return command
    }()

    func writeSet(key index: Int, into buffer: inout ByteBuffer) {
        buffer.writeImmutableBuffer(setHead)
        BenchWorkload.writeKey(index, into: &buffer)
        buffer.writeImmutableBuffer(setTail)
    }

    func writeGet(key index: Int, into buffer: inout ByteBuffer) {
        buffer.writeImmutableBuffer(getHead)
        BenchWorkload.writeKey(index, into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    /// Nil when a SET was stored, else the kind of failure.
    static func setFailure(_ reply: RESPValue) -> String? {
        switch reply {
        case .simpleString("OK"): nil
        case .error(let text): serverError(text)
        default: "unexpected reply to SET: \(describe(reply))"
        }
    }

    /// Nil when enough replicas acknowledged, else the kind of failure.
    func waitFailure(_ reply: RESPValue) -> String? {
        let wanted = wait?.replicas ?? 0
        switch reply {
        case .integer(let acknowledged) where acknowledged >= wanted: return nil
        case .integer(let acknowledged): return "WAIT: \(acknowledged) of \(wanted) replicas acknowledged"
        case .error(let text): return Self.serverError(text)
        default: return "unexpected reply to WAIT: \(Self.describe(reply))"
        }
    }

    /// Whether a GET found its key; the kind of failure for anything but a value or nil.
    static func getOutcome(_ reply: RESPValue) -> Result<Bool, GetFailure> {
        switch reply {
        case .bulkString: .success(true)
        case .null: .success(false)
        case .error(let text): .failure(GetFailure(kind: serverError(text)))
        default: .failure(GetFailure(kind: "unexpected reply to GET: \(describe(reply))"))
        }
    }

    struct GetFailure: Error {
        var kind: String
    }

    /// Error replies grouped by their text, which Redis keeps free of per-request details;
    /// cut short so a verbose server cannot flood the summary.
    private static func serverError(_ text: String) -> String {
        "server: " + String(text.prefix(80))
    }

    private static func describe(_ reply: RESPValue) -> String {
        switch reply {
        case .simpleString(let text): "+\(text.prefix(40))"
        case .integer(let value): ":\(value)"
        case .bulkString(let bytes): "bulk string of \(bytes.readableBytes) bytes"
        case .null: "nil"
        case .array(let elements): "array of \(elements.count)"
        default: "\(reply)".prefix(60).description
        }
    }
}
