import Foundation
import Glibc

/// An external program the Redis tests drive (redis-cli, redis-benchmark, python3). A
/// missing tool fails the test with a message saying how to install it: scripts/test.sh
/// installs them, and a test must not pass by skipping them.
struct ExternalTool {
    let url: URL

    /// Finds `name` on PATH (and in /usr/bin), or throws.
    init(_ name: String, installHint: String) throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        for directory in directories {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                self.url = candidate
                return
            }
        }
        throw TestFailure("\(name) is not installed (\(installHint)); scripts/test.sh installs it")
    }

    /// One of the package's own executables (`cachectl`), as the tests build it.
    init(builtProduct name: String) throws {
        self.url = try NodeProcess.executable(name)
    }

    static func redisCLI() throws -> ExternalTool {
        try ExternalTool("redis-cli", installHint: "apt-get install -y redis-tools")
    }

    static func redisBenchmark() throws -> ExternalTool {
        try ExternalTool("redis-benchmark", installHint: "apt-get install -y redis-tools")
    }

    /// python3 with the `redis` package importable.
    static func pythonWithRedis() throws -> ExternalTool {
        let python = try ExternalTool("python3", installHint: "apt-get install -y python3")
        let check = try python.run(["-c", "import redis"], seconds: 20)
        guard check.status == 0 else {
            throw TestFailure("the Python redis package is missing (python3 -m pip install redis); scripts/test.sh installs it\n\(check.stderr)")
        }
        return python
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the tool to completion, feeding `input` on stdin; kills it (by PID) after `seconds`.
    /// Output goes to temporary files, read once the process has exited, so none is lost.
    func run(_ arguments: [String], input: String? = nil, seconds: Double = 20) throws -> Output {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ringtail-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout"), errURL = directory.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        let stdin = Pipe()
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let timedOut = process.isRunning
        if timedOut {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        let output = Output(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        )
        if timedOut {
            throw TestFailure("\(url.lastPathComponent) \(arguments.joined(separator: " ")) did not finish within \(seconds) s\nstdout: \(output.stdout)\nstderr: \(output.stderr)")
        }
        return output
    }
}
