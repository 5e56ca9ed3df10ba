import Dispatch
import Glibc
import NIOCore
import NIOPosix
import RingtailLoop
import Synchronization

struct TimedOut: Error {}

/// Timers for the helpers below, on a NIO loop that outlives every test.
let timerLoop = MultiThreadedEventLoopGroup.singleton.next()

/// `future`'s outcome on `timerLoop`, or `TimedOut` after `limit`. Observes `future` at once:
/// a future of a loop that has shut down can no longer be observed.
func bounded<T: Sendable>(_ future: EventLoopFuture<T>, within limit: TimeAmount = .seconds(5)) -> EventLoopFuture<T> {
    let bounded = timerLoop.makePromise(of: T.self)
    let timer = timerLoop.scheduleTask(in: limit) { bounded.fail(TimedOut()) }
    future.whenComplete { bounded.completeWith($0) }
    bounded.futureResult.whenComplete { _ in timer.cancel() }
    return bounded.futureResult
}

/// The future's value, or `TimedOut` after `limit`: a test that fails does not hang.
func value<T: Sendable>(of future: EventLoopFuture<T>, within limit: TimeAmount = .seconds(5)) async throws -> T {
    try await bounded(future, within: limit).get()
}

/// The result of a future expected to fail, or `TimedOut`.
func error<T: Sendable>(of future: EventLoopFuture<T>, within limit: TimeAmount = .seconds(5)) async throws -> (any Error)? {
    do {
        _ = try await value(of: future, within: limit)
        return nil
    } catch is TimedOut {
        throw TimedOut()
    } catch {
        return error
    }
}

/// Shuts `loop` down and waits (boundedly) for its callback, which comes after its thread ended.
func shutDown(_ loop: EpollLoop) async throws {
    let done = timerLoop.makePromise(of: Void.self)
    loop.shutdownGracefully(queue: .global()) { _ in done.succeed() }
    try await value(of: done.futureResult)
}

/// Runs `body` with a fresh loop, shutting the loop down afterwards whatever happened.
func withLoop<R>(name: String = "ringtail-test", _ body: (EpollLoop) async throws -> R) async throws -> R {
    let loop = try EpollLoop(name: name)
    let result: R
    do {
        result = try await body(loop)
    } catch {
        try? await shutDown(loop)
        throw error
    }
    try await shutDown(loop)
    return result
}

/// Values recorded from any thread, in order.
final class Recorder<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])

    func record(_ value: Value) {
        storage.withLock { $0.append(value) }
    }

    var values: [Value] { storage.withLock { $0 } }
}

/// The name of the calling thread, from /proc.
func currentThreadName() -> String {
    threadNames(path: "/proc/thread-self/comm").first ?? ""
}

/// The names of the process's threads.
func processThreadNames() -> [String] {
    guard let directory = opendir("/proc/self/task") else { return [] }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
        let task = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard task.first?.isNumber == true else { continue }
        names += threadNames(path: "/proc/self/task/\(task)/comm")
    }
    return names
}

private func threadNames(path: String) -> [String] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: 64)
    let count = read(fd, &bytes, bytes.count)
    guard count > 0 else { return [] }
    return [String(decoding: bytes[..<count], as: UTF8.self).trimmingTrailingNewline()]
}

extension String {
    fileprivate func trimmingTrailingNewline() -> String {
        hasSuffix("\n") ? String(dropLast()) : self
    }
}

/// A connected pair of non-blocking Unix stream sockets.
func socketPair() throws -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
        throw EpollError(call: "socketpair", errno: errno)
    }
    return (fds[0], fds[1])
}

/// Writes `text` to `fd`, without SIGPIPE.
@discardableResult
func send(_ text: String, to fd: Int32) -> Int {
    Array(text.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
}

/// A watcher calling a closure; for tests that decide on the loop what each event means.
final class ClosureWatcher: EpollWatcher, @unchecked Sendable {
    var onReady: (EpollEvents) -> Void

    init(_ onReady: @escaping (EpollEvents) -> Void = { _ in }) {
        self.onReady = onReady
    }

    func ready(_ events: EpollEvents) {
        onReady(events)
    }
}
