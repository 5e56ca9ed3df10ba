import NIOCore
import Synchronization

/// What CLIENT LIST shows of one connection. Its own event loop writes it; CLIENT LIST and
/// CLIENT KILL on any other connection read it.
final class RESPClientRecord: Sendable {
    struct Details: Sendable {
        var name = ""
        var libraryName = ""
        var libraryVersion = ""
        var protocolVersion = 2
    }

    let id: Int64
    /// Replaced when the connection moves from an epoll loop to NIO.
    private let currentCloser: Mutex<any RESPConnectionCloser>
    var closer: any RESPConnectionCloser {
        get { currentCloser.withLock { $0 } }
        set { currentCloser.withLock { $0 = newValue } }
    }
    /// `ip:port` of the client, and of the listener it connected to.
    let address: String
    let localAddress: String
    let connectedNanos: UInt64
    /// When the connection last sent a request (monotonic nanoseconds).
    let lastActiveNanos: Atomic<UInt64>
    /// The last command's `RESPCommandKind` raw value plus one; 0 before the first.
    let lastCommand = Atomic<UInt8>(0)
    let details = Mutex(Details())

    init(id: Int64, closer: any RESPConnectionCloser, remote: SocketAddress?, local: SocketAddress?, nowNanos: UInt64) {
        self.id = id
        self.currentCloser = Mutex(closer)
        self.address = remote.map(Self.describe) ?? "?"
        self.localAddress = local.map(Self.describe) ?? "?"
        self.connectedNanos = nowNanos
        self.lastActiveNanos = Atomic(nowNanos)
    }

    /// `ip:port`, as Redis writes an address (IPv6 in brackets).
    static func describe(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        if case .v6 = address { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }

    /// One CLIENT LIST line, without its newline. Fields Ringtail does not track (the file
    /// descriptor, buffer and memory sizes) are left out rather than made up; the rest are
    /// true of every Ringtail connection (one database, no pub/sub, no transactions).
    func line(nowNanos: UInt64) -> String {
        let details = self.details.withLock { $0 }
        let age = (nowNanos &- connectedNanos) / 1_000_000_000
        let idle = nowNanos >= lastActiveNanos.load(ordering: .relaxed) ? (nowNanos - lastActiveNanos.load(ordering: .relaxed)) / 1_000_000_000 : 0
        let command = lastCommand.load(ordering: .relaxed)
        let commandName = command == 0 ? "NULL" : RESPCommandKind(rawValue: command - 1).map { RESPCommandTable.spec(of: $0).name } ?? "NULL"
        return "id=\(id) addr=\(address) laddr=\(localAddress) name=\(details.name) age=\(age) idle=\(idle) flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 cmd=\(commandName) user=default redir=-1 resp=\(details.protocolVersion) lib-name=\(details.libraryName) lib-ver=\(details.libraryVersion)"
    }
}

/// The open Redis connections, by client id, for CLIENT LIST, INFO and KILL.
final class RESPClientRegistry: Sendable {
    private let clients = Mutex<[Int64: RESPClientRecord]>([:])

    func add(_ record: RESPClientRecord) {
        clients.withLock { $0[record.id] = record }
    }

    func remove(id: Int64) {
        _ = clients.withLock { $0.removeValue(forKey: id) }
    }

    /// Every open connection, by id.
    func all() -> [RESPClientRecord] {
        clients.withLock { Array($0.values) }.sorted { $0.id < $1.id }
    }
}
