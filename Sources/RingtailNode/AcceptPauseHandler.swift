#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import NIOCore

/// Stops accepting for a moment when `accept` fails for want of resources (no file descriptor
/// left, no kernel memory), then tries again.
///
/// Without it the event loop spins at full CPU: the listening socket stays readable while
/// connections wait in the backlog, and NIO keeps the socket registered after a failed accept
/// (its `AcceptBackoffHandler` only delays the next read request, so it does not help here).
/// Turning `autoRead` off takes the socket out of the selector; turning it on again resumes.
final class AcceptPauseHandler: ChannelInboundHandler {
    typealias InboundIn = any Channel

    /// How long accepting stays off after a failure.
    static let pause = TimeAmount.milliseconds(200)
    /// Failures are logged at most this often, with how many happened since.
    static let logInterval = TimeAmount.seconds(10)

    private let protocolName: String
    private let logger: Logger
    private var paused = false
    private var failures = AcceptFailureLog()

    init(protocolName: String, logger: Logger) {
        self.protocolName = protocolName
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let ioError = error as? IOError, Self.isResourceShortage(errno: ioError.errnoCode) else {
            context.fireErrorCaught(error)
            return
        }
        failures.note("\(ioError)", protocolName: protocolName, logger: logger)
        guard !paused, let options = context.channel.syncOptions else { return }
        paused = true
        try? options.setOption(.autoRead, value: false)
        let channel = context.channel
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.pause) { [self] in
            paused = false
            try? channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    /// No descriptor or kernel memory left: the connection stays in the backlog, so accepting
    /// again at once fails again.
    static func isResourceShortage(errno: Int32) -> Bool {
        switch errno {
        case EMFILE, ENFILE, ENOBUFS, ENOMEM: true
        default: false
        }
    }
}

/// Accept failures for want of resources, logged at most once per `AcceptPauseHandler.logInterval`
/// with how many happened since: a full descriptor table can fail thousands of accepts a second.
struct AcceptFailureLog {
    private var failuresSinceLog = 0
    private var lastLog: NIODeadline?

    mutating func note(_ error: String, protocolName: String, logger: Logger) {
        failuresSinceLog += 1
        let now = NIODeadline.now()
        if let lastLog, now - lastLog < AcceptPauseHandler.logInterval { return }
        lastLog = now
        logger.warning("cannot accept connections; pausing accepts", metadata: [
            "protocol": "\(protocolName)", "error": "\(error)", "failures": "\(failuresSinceLog)",
            "pause": "\(AcceptPauseHandler.pause.nanoseconds / 1_000_000) ms",
        ])
        failuresSinceLog = 0
    }
}
