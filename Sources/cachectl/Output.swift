import ArgumentParser
import Foundation
import Synchronization

import Glibc

/// Everything cachectl prints on stdout goes through here: text and raw bytes keep their
/// order, and a write that fails (a full disk, say) becomes an error message and an exit
/// status at the end instead of a trap (Foundation's non-throwing `FileHandle.write` stops the
/// process) or a silent loss (`print` ignores errors).
enum Output {
    private struct Pending {
        var bytes: [UInt8] = []
        /// Why a write to stdout failed, the first time one did.
        var failure: String?
    }

    private static let pending = Mutex(Pending())
    /// A terminal sees each line at once; a file or pipe gets large writes.
    private static let flushesEveryLine = isatty(STDOUT_FILENO) != 0
    private static let bufferLimit = 64 << 10

    /// Prints `text` and a newline on stdout.
    static func line(_ text: String) {
        write(Array(text.utf8) + [UInt8(ascii: "\n")])
        if flushesEveryLine { _ = flush() }
    }

    /// Writes `bytes` to stdout as they are (binary-safe).
    static func write(_ bytes: [UInt8]) {
        pending.withLock { state in
            state.bytes += bytes
            if state.bytes.count >= bufferLimit { drain(&state) }
        }
    }

    /// Writes what is pending; nil when everything printed so far reached stdout, else why not.
    static func flush() -> String? {
        pending.withLock { state in
            drain(&state)
            return state.failure
        }
    }

    /// Writes `message` and a newline to stderr; a failure there has nowhere to be reported.
    static func error(_ message: String) {
        errorText(message + "\n")
    }

    /// Writes `text` to stderr as it is (progress lines).
    static func errorText(_ text: String) {
        _ = writeAll(Array(text.utf8), to: STDERR_FILENO)
    }

    /// All of stdin (a value given as `-`); a read that fails is a usage error, not a trap.
    static func readStandardInput() throws -> [UInt8] {
        do {
            return Array(try FileHandle.standardInput.readToEnd() ?? Data())
        } catch {
            throw ValidationError("cannot read the value from stdin: \(error.localizedDescription)")
        }
    }

    private static func drain(_ state: inout Pending) {
        guard !state.bytes.isEmpty else { return }
        if state.failure == nil, let problem = writeAll(state.bytes, to: STDOUT_FILENO) {
            state.failure = problem
        }
        state.bytes.removeAll(keepingCapacity: true)
    }

    /// Writes every byte to `descriptor`; nil on success, else the reason it stopped.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> String? {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                offset += written
            }
            return nil
        }
    }
}

extension ExitStatus {
    /// What was asked worked, but its output (stdout, or a file named on the command line)
    /// could not be written.
    static let outputFailed = ExitCode(4)
}

extension Cachectl {
    /// ArgumentParser's `main`, with stdout written out and checked before the process exits.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if let problem = Output.flush() { Output.error("cachectl: cannot write output: \(problem)") }
            exit(withError: error)
        }
        if let problem = Output.flush() {
            Output.error("cachectl: cannot write output: \(problem)")
            exit(withError: ExitStatus.outputFailed)
        }
    }
}
