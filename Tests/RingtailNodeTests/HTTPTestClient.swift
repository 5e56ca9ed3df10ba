import Foundation
import Glibc

/// A minimal blocking HTTP/1.1 client over one keep-alive loopback connection, for tests.
struct HTTPTestClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    private var fd: Int32
    private var received: [UInt8] = []

    init(port: Int, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw TestFailure("connect() to port \(port) failed") }
    }

    mutating func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Sends one request and reads its response (by content-length).
    mutating func request(_ method: String, _ path: String, body: [UInt8] = [], headers: [String: String] = [:]) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nhost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "PUT" { head += "content-length: \(body.count)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + body
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw TestFailure("send failed") }
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find(separator, in: received)
            if headEnd == nil { try readMore() }
        }
        let headText = String(decoding: received[..<headEnd!], as: UTF8.self)
        let lines = headText.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw TestFailure("bad status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        // A HEAD response announces GET's length but carries no body.
        let length = method == "HEAD" ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headEnd! + separator.count
        while received.count < bodyStart + length { try readMore() }
        let responseBody = Array(received[bodyStart..<(bodyStart + length)])
        received.removeFirst(bodyStart + length)
        return Response(status: status, headers: headers, body: responseBody)
    }

    private mutating func readMore() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw TestFailure("connection closed or timed out while reading a response") }
        received += chunk[..<count]
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<(start + needle.count)]) == needle {
            return start
        }
        return nil
    }
}

/// Parses Prometheus text with the Python `prometheus_client` parser: each sample's value by
/// `name{label=value,...}`. Fails clearly when the parser is not installed.
func parsePrometheus(_ text: String) throws -> [String: Double] {
    let script = """
        import sys, json
        try:
            from prometheus_client.parser import text_string_to_metric_families
        except ImportError:
            print("prometheus_client is not installed: run python3 -m pip install prometheus_client (scripts/test.sh does)", file=sys.stderr)
            sys.exit(3)
        out = {}
        for family in text_string_to_metric_families(sys.stdin.read()):
            for s in family.samples:
                labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
                out[f"{s.name}{{{labels}}}"] = s.value
        print(json.dumps(out))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let input = Pipe(), output = Pipe(), errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    input.fileHandleForWriting.write(Data(text.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw TestFailure("the Prometheus text parser failed (exit \(process.terminationStatus)): \(errorText)")
    }
    guard let samples = try JSONSerialization.jsonObject(with: data) as? [String: Double] else {
        throw TestFailure("unexpected parser output")
    }
    return samples
}
