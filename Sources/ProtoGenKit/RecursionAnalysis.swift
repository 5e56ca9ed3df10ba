/// Finds messages that contain themselves.
///
/// A message reaching itself only through non-optional fields would have no finite value (every instance
/// holds another), so that is an error. Through an `optional` field it is fine on the wire, but a Swift struct
/// still cannot hold itself inline, so those fields are marked to be stored indirectly. `repeated` fields live
/// in an `Array`, which is already on the heap.
enum RecursionAnalysis {
    /// One error per cycle made only of non-optional, non-repeated message fields, at the field of the
    /// earliest-declared message on the cycle.
    static func reportRequiredCycles(in messages: [MessageDeclaration]) -> [Diagnostic] {
        let declared = Set(messages.map(\.name))
        let edges = Dictionary(
            messages.map { message in
                let required = message.fields.compactMap { field -> (field: FieldDeclaration, target: String)? in
                    guard field.label == .singular, case .named(let target) = field.type, declared.contains(target)
                    else { return nil }
                    return (field, target)
                }
                return (message.name, required)
            },
            uniquingKeysWith: { first, _ in first }
        )

        var diagnostics: [Diagnostic] = []
        var reportedCycles: Set<[String]> = []
        for message in messages {
            guard let path = pathBack(to: message.name, from: message.name, edges: edges, visited: []) else {
                continue
            }
            let members = path.map(\.owner).sorted()
            guard reportedCycles.insert(members).inserted else { continue }
            let route = path.map { "\($0.owner).\($0.field.name)" }.joined(separator: " → ")
            diagnostics.append(
                Diagnostic(
                    "message '\(message.name)' contains itself through non-optional fields (\(route)); "
                        + "make one of them optional or repeated",
                    at: path[0].field.location
                )
            )
        }
        return diagnostics
    }

    /// Marks every optional message field whose type can reach the enclosing message again.
    static func markIndirectFields(in messages: inout [MessageModel]) {
        var contained: [String: Set<String>] = [:]
        for message in messages {
            contained[message.name] = Set(
                message.fields.compactMap { field in
                    guard field.label != .repeated, case .message(let target) = field.type else { return nil }
                    return target
                }
            )
        }
        for messageIndex in messages.indices {
            let owner = messages[messageIndex].name
            for fieldIndex in messages[messageIndex].fields.indices {
                let field = messages[messageIndex].fields[fieldIndex]
                guard field.label == .optional, case .message(let target) = field.type else { continue }
                messages[messageIndex].fields[fieldIndex].isIndirect = reaches(owner, from: target, graph: contained)
            }
        }
    }

    private struct Step {
        var owner: String
        var field: FieldDeclaration
    }

    /// A path of required fields from `start` back to `target`, depth first in declaration order.
    private static func pathBack(
        to target: String,
        from start: String,
        edges: [String: [(field: FieldDeclaration, target: String)]],
        visited: Set<String>
    ) -> [Step]? {
        for edge in edges[start] ?? [] {
            let step = Step(owner: start, field: edge.field)
            if edge.target == target { return [step] }
            guard !visited.contains(edge.target) else { continue }
            if let rest = pathBack(to: target, from: edge.target, edges: edges, visited: visited.union([start])) {
                return [step] + rest
            }
        }
        return nil
    }

    private static func reaches(_ target: String, from start: String, graph: [String: Set<String>]) -> Bool {
        var frontier = [start]
        var seen: Set<String> = [start]
        while let next = frontier.popLast() {
            if next == target { return true }
            for neighbour in graph[next] ?? [] where seen.insert(neighbour).inserted {
                frontier.append(neighbour)
            }
        }
        return false
    }
}
