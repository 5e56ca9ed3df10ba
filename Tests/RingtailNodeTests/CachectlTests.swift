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

    /// Runs cachectl; with `stdoutFile`, its stdout goes there instead of being captured.
    func cachectl(_ arguments: [String], stdin: Data? = nil, stdoutFile: FileHandle? = nil) throws -> Result {
        let process = Process()
        process.executableURL = try NodeProcess.executable("cachectl")
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = stdoutFile ?? out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let stdout = stdoutFile == nil ? out.fileHandleForReading.readDataToEndOfFile() : Data()
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

    @Test func flushNeedsConfirmationAndEmptiesTheNode() async throws {
        try await withNode { node in
            let host = ["--host", node.address]
            for key in ["a", "b", "c"] { #expect(try cachectl(["set", key, "v"] + host).status == 0) }
            let unconfirmed = try cachectl(["flush"] + host)
            #expect(unconfirmed.status != 0 && unconfirmed.stderr.contains("--yes"), "\(unconfirmed.stderr)")
            #expect(try cachectl(["get", "a"] + host).text == "v", "nothing flushed without --yes")
            let flush = try cachectl(["flush", "--yes", "--json"] + host)
            #expect(flush.status == 0, "\(flush.stderr)")
            #expect(flush.text.contains("\"flushed\":true"), "\(flush.text)")
            for key in ["a", "b", "c"] { #expect(try cachectl(["get", key] + host).status == 1, "\(key) is gone") }
            #expect(try cachectl(["set", "a", "after"] + host).status == 0)
            #expect(try cachectl(["get", "a"] + host).text == "after")
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
        let zero = try cachectl(["set", "k", "v", "--ttl", "0s"])
        #expect(zero.status == 64, "a TTL of 0 would mean no expiry on the wire")
        #expect(zero.stderr.contains("positive"))
    }

    /// A full disk, simulated by /dev/full (every write fails with ENOSPC): cachectl says
    /// so and exits 4 instead of trapping, and what it was asked to do still happened.
    @Test func outputThatCannotBeWrittenExitsFourWithAMessage() async throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        defer { try? full.close() }
        try await withNode { node in
            let host = ["--host", node.address]
            #expect(try cachectl(["set", "k", "v"] + host).status == 0)
            for arguments in [["get", "k"], ["get", "k", "--json"], ["stats"]] {
                let result = try cachectl(arguments + host, stdoutFile: full)
                #expect(result.status == 4, "\(arguments): \(result.stderr)")
                #expect(result.stderr.contains("cannot write output: No space left on device"), "\(arguments): \(result.stderr)")
            }
            let fill = try cachectl(["fill", "--prefix", "f-", "--count", "20", "--expect", "/dev/full"] + host)
            #expect(fill.status == 4, "\(fill.stderr)")
            #expect(fill.stderr.contains("cannot write /dev/full"), "\(fill.stderr)")
            #expect(fill.text.contains("acknowledged 20 of 20"))
            #expect(try cachectl(["get", "f-19"] + host).text.hasPrefix("f-19"), "the writes were made all the same")
            // A key that is not there keeps its own status: nothing was to be written.
            #expect(try cachectl(["get", "absent"] + host, stdoutFile: full).status == 1)
        }
    }
}
