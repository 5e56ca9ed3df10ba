/// The node processes one test started: `withNodeGroup` stops every one of them by PID when
/// the test ends, and prints their logs when it throws.
final class NodeGroup {
    private(set) var nodes: [NodeProcess] = []

    @discardableResult
    func start(nodeID: String, arguments: [String]) throws -> NodeProcess {
        let node = try NodeProcess.start(nodeID: nodeID, arguments: arguments)
        nodes.append(node)
        return node
    }
}

func withNodeGroup<T>(_ body: (NodeGroup) async throws -> T) async throws -> T {
    let group = NodeGroup()
    do {
        let result = try await body(group)
        for node in group.nodes { node.stop() }
        return result
    } catch {
        for node in group.nodes {
            node.stop()
            print("--- log of \(node.nodeID) (test threw \(error)) ---\n\(node.logText)")
        }
        throw error
    }
}
