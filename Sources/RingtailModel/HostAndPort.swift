/// A `host:port` pair as people write it: `127.0.0.1:7001`, `localhost:7001`, `[::1]:7001`.
public struct HostAndPort: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`; nil when either part is missing or the port is not in 0...65535.
    public init?(_ text: String) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        self.host = String(host)
        self.port = port
    }

    /// Parses a comma-separated list such as `127.0.0.1:7001,127.0.0.1:7002`.
    public static func parseList(_ text: String) -> [HostAndPort]? {
        let parts = text.split(separator: ",").map { String($0) }
        let parsed = parts.compactMap(HostAndPort.init)
        return parsed.count == parts.count ? parsed : nil
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
