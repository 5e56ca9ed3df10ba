import CEpoll
import Glibc

/// Starts a loop's thread: a plain pthread, so the loop needs neither Foundation nor NIOPosix.
enum LoopThread {
    /// What the new thread runs, handed to it through pthread_create's context pointer.
    private final class Start {
        let name: String
        let body: @Sendable () -> Void

        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Runs `body` on a new joinable thread named `name` (cut to the kernel's 15 bytes).
    static func start(name: String, _ body: @escaping @Sendable () -> Void) throws(EpollError) {
        let start = Unmanaged.passRetained(Start(name: name, body: body))
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { context in
            let start = Unmanaged<Start>.fromOpaque(context!).takeRetainedValue()
            var name = Array(start.name.utf8.prefix(15)).map { CChar(bitPattern: $0) }
            name.append(0)
            _ = cepoll_name_this_thread(name)
            start.body()
            return nil
        }, start.toOpaque())
        guard result == 0 else {
            start.release()
            throw EpollError(call: "pthread_create", errno: result)
        }
    }
}
