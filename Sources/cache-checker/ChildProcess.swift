import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a short-lived command to completion with posix_spawn and waitpid, on a thread of its
/// own (waitpid blocks; the concurrency pool must not). Standard input is /dev/null; standard
/// output and error are appended to a log file. Only the command's own exit is waited for, so a
/// long-lived process it starts in the background does not hold the caller up.
enum ChildProcess {
    /// The exit status, or -1 when the command could not be started or was killed by a signal.
    static func run(_ command: [String], environment: [String: String], logPath: String, banner: String) async -> Int32 {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: spawnAndWait(command, environment, logPath, banner))
            }
            thread.start()
        }
    }

    private static func spawnAndWait(_ command: [String], _ environment: [String: String], _ logPath: String, _ banner: String) -> Int32 {
        let log = open(logPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard log >= 0 else { return -1 }
        defer { close(log) }
        _ = banner.withCString { write(log, $0, strlen($0)) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, log, 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        guard posix_spawn(&pid, command[0], &actions, nil, argv, envp) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return -1 }
        }
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        return status & 0x7f == 0 ? (status >> 8) & 0xff : -1
    }
}
