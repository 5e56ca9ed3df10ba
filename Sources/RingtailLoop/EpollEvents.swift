import CEpoll
import Glibc

/// What a watched descriptor is ready for, or what to watch it for.
///
/// `hangup` stands for both EPOLLHUP and EPOLLRDHUP: watching it asks for EPOLLRDHUP (the peer
/// closed its end), and a report of either bit carries both, so `contains(.hangup)` holds.
/// The kernel reports `hangup` and `error` whether they were asked for or not.
public struct EpollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public static let readable = EpollEvents(rawValue: EPOLLIN.rawValue)
    public static let writable = EpollEvents(rawValue: EPOLLOUT.rawValue)
    public static let hangup = EpollEvents(rawValue: EPOLLHUP.rawValue | EPOLLRDHUP.rawValue)
    public static let error = EpollEvents(rawValue: EPOLLERR.rawValue)

    /// The events epoll reported, with a lone hangup bit widened to `.hangup`.
    init(reported: UInt32) {
        let hangupBits = EpollEvents.hangup.rawValue
        self.init(rawValue: reported & hangupBits == 0 ? reported : reported | hangupBits)
    }
}

/// Told on the loop's thread when its descriptor is ready. The loop keeps a strong reference
/// to the watcher until `EpollLoop.unwatch` (or the loop's shutdown).
public protocol EpollWatcher: AnyObject {
    func ready(_ events: EpollEvents)
}

/// A system call of the loop failed: which one, and its errno.
public struct EpollError: Error, Sendable, Equatable, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call) failed: \(errnoDescription(errno)) (errno \(errno))"
    }
}

/// The message of an errno value. glibc's strerror is thread-safe since 2.32 (its messages are
/// static; only unknown values use a per-thread buffer).
func errnoDescription(_ code: Int32) -> String {
    String(cString: strerror(code))
}
