import Dispatch
import NIOCore
import Synchronization

/// Several `EpollLoop`s, handed out in turn.
public final class EpollLoopGroup: EventLoopGroup, Sendable {
    public let loops: [EpollLoop]
    private let nextIndex = Atomic<UInt>(0)

    /// Starts `count` loops named "`name`-0", "`name`-1"...; if one cannot start, stops those
    /// already started and throws its error.
    /// `busyPollMicroseconds`: see `EpollLoop.init`.
    public init(count: Int, name: String = "epoll", busyPollMicroseconds: Int = 0) throws {
        precondition(count > 0, "an EpollLoopGroup needs at least one loop")
        var loops: [EpollLoop] = []
        do {
            for index in 0..<count { loops.append(try EpollLoop(name: "\(name)-\(index)", busyPollMicroseconds: busyPollMicroseconds)) }
        } catch {
            for loop in loops { loop.shutdownGracefully(queue: .global()) { _ in } }
            throw error
        }
        self.loops = loops
    }

    /// Round robin.
    public func next() -> EventLoop {
        loops[Int(nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue % UInt(loops.count))]
    }

    /// The calling thread's loop when it is one of the group's, saving a thread hop.
    public func any() -> EventLoop {
        loops.first { $0.inEventLoop } ?? next()
    }

    public func makeIterator() -> EventLoopIterator {
        EventLoopIterator(loops)
    }

    /// Shuts every loop down; `callback` runs on `queue` once all their threads have ended.
    public func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable (Error?) -> Void) {
        let group = DispatchGroup()
        for loop in loops {
            group.enter()
            loop.shutdownGracefully(queue: .global()) { _ in group.leave() }
        }
        group.notify(queue: queue) { callback(nil) }
    }

    public func _preconditionSafeToSyncShutdown(file: StaticString, line: UInt) {
        precondition(!loops.contains { $0.inEventLoop }, "shutting down an EpollLoopGroup from one of its loops", file: file, line: line)
    }
}
