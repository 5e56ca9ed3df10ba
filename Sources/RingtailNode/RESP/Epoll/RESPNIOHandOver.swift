import RingtailLoop

/// `--redis-io auto`: where connections go once the node coordinates across replicas. A
/// connection on the epoll loops then crosses threads twice per coordinated command, so new
/// ones are served on NIO channels (on the loops of the peer connections) and open ones move
/// there at their next quiet moment.
struct RESPNIOHandOver: Sendable {
    /// Whether connections belong on NIO now. Cheap: an atomic load, asked once per read.
    let isWanted: @Sendable () -> Bool
    /// Serves `socket` on a NIO channel; `session` is the state of a connection that was on an
    /// epoll loop until now (nil for one just accepted).
    let take: @Sendable (AcceptedSocket, RESPSessionTransfer?) -> Void
}

/// A connection's session handed from its epoll loop to a NIO loop. Unchecked Sendable: the
/// epoll side lets go of it before handing it over and never touches it again.
struct RESPSessionTransfer: @unchecked Sendable {
    let session: RESPSession
}
