import Foundation
import Testing

/// The `cachectl` binary against a real node: output and exit statuses scripts rely on.
@Suite(.timeLimit(.minutes(2)))
struct CachectlTests {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
        var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    func cachectl(_ arguments: [String], stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = try NodeProcess.executable("cachectl")
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func setGetDeleteStats() async throws {
        try await withNode { node in
            let host = ["--host", node.address]
            let set = try cachectl(["set", "city", "Zürich"] + host)
            #expect(set.status == 0, "\(set.stderr)")
            // Connection options may also come before the subcommand.
            let get = try cachectl(host + ["get", "city"])
            #expect(get.status == 0)
            #expect(get.text == "Zürich", "get prints the value alone")

            let delete = try cachectl(["delete", "city"] + host)
            #expect(delete.status == 0)
            let missing = try cachectl(["get", "city"] + host)
            #expect(missing.status == 1)
            #expect(missing.stdout.isEmpty)
            #expect(missing.stderr.contains("not found"))

            let stats = try cachectl(["stats", "--json"] + host)
            #expect(stats.status == 0)
            let object = try #require(try JSONSerialization.jsonObject(with: stats.stdout) as? [String: Any])
            #expect(object["node"] as? String == "test-node")
            #expect(object["sets"] as? Int == 1)
            #expect(object["deletes"] as? Int == 1)
            #expect(object["misses"] as? Int == 1)
            #expect(object["keys"] as? Int == 0)
            let human = try cachectl(["stats"] + host)
            #expect(human.text.contains("memoryUsedBytes"))
        }
    }

    @Test func binaryValueFromStdinAndTTL() async throws {
        try await withNode { node in
            let host = ["--host", node.address]
            let bytes = Data([0, 1, 2, 0xFF, 0xFE, 10, 13, 0])
            let set = try cachectl(["set", "blob", "-", "--ttl", "1h"] + host, stdin: bytes)
            #expect(set.status == 0, "\(set.stderr)")
            let get = try cachectl(["get", "blob"] + host)
            #expect(get.stdout == bytes)
            let json = try cachectl(["get", "blob", "--json"] + host)
            let object = try #require(try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any])
            #expect(object["encoding"] as? String == "base64")
            #expect(object["value"] as? String == bytes.base64EncodedString())
            #expect(object["expiresAtMillis"] != nil)
        }
    }

    @Test func connectionFailureExitsTwo() throws {
        let result = try cachectl(["get", "anything", "--host", "127.0.0.1:1", "--timeout", "1s"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot connect"))
    }

    @Test func badUsageIsRejected() throws {
        let result = try cachectl(["set", "k", "v", "--ttl", "soon"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--ttl"))
    }
}
