import Logging
import NIOCore
import ServiceLifecycle

/// Assembles the services one node runs; `cache-node` hands them to a `ServiceGroup`.
public struct NodeServices {
    public let node: LocalNode
    public let rpcServer: RPCServer
    public let sweeper: ExpirySweeper

    public init(node: LocalNode, group: any EventLoopGroup, logger: Logger) {
        self.node = node
        self.rpcServer = RPCServer(node: node, group: group, logger: logger)
        self.sweeper = ExpirySweeper(node: node, logger: logger)
    }

    /// In start order; a graceful shutdown stops them in reverse.
    public var all: [any Service] { [sweeper, rpcServer] }
}
