import NIOCore
import Synchronization

/// The open client connections, so a graceful shutdown can close each one after the
/// responses it owes are flushed.
final class ConnectionRegistry: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func register(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.channels.withLock { _ = $0.removeValue(forKey: id) }
        }
    }

    /// Closes every connection once its event loop has run what it had queued (requests
    /// already read are answered synchronously, so their responses are written by then).
    func closeAll() async {
        let open = channels.withLock { Array($0.values) }
        for channel in open {
            let closed = channel.eventLoop.flatSubmit {
                channel.flush()
                return channel.close()
            }
            try? await closed.get()
        }
    }
}
