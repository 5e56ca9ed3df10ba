import Foundation

extension NodeProcess {
    /// The admin HTTP port of a node started with `--admin-listen 127.0.0.1:0`, from its log.
    func adminPort() async throws -> Int {
        for _ in 0..<200 {
            let line = logText.split(separator: "\n").first { $0.contains("protocol=admin") }
            if let port = line.flatMap({ line in line.range(of: "port=").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) } }) {
                return port
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("no protocol=admin port= line in the log of \(nodeID)")
    }
}
