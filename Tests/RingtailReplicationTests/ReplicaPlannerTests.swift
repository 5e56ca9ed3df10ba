import RingtailModel
import RingtailReplication
import Testing

struct PlanScenario: Sendable, CustomTestStringConvertible {
    var name: String
    var preference: [String]
    var extended: [String]
    var down: Set<String>
    /// Targets as "node" for an owner, "node>owner" for a substitute holding a hint for owner.
    var targets: [String]
    var unplaced: [String] = []

    var testDescription: String { name }
}

@Suite struct ReplicaPlannerTests {
    static let scenarios: [PlanScenario] = [
        .init(name: "all up", preference: ["a", "b", "c"], extended: ["d", "e"], down: [],
              targets: ["a", "b", "c"]),
        .init(name: "one down", preference: ["a", "b", "c"], extended: ["d", "e"], down: ["b"],
              targets: ["a", "d>b", "c"]),
        .init(name: "first and last down", preference: ["a", "b", "c"], extended: ["d", "e"], down: ["a", "c"],
              targets: ["d>a", "b", "e>c"]),
        .init(name: "two down, first substitute down too", preference: ["a", "b", "c"], extended: ["d", "e", "f"],
              down: ["b", "c", "d"], targets: ["a", "e>b", "f>c"]),
        .init(name: "all owners down", preference: ["a", "b", "c"], extended: ["d", "e", "f", "g"],
              down: ["a", "b", "c"], targets: ["d>a", "e>b", "f>c"]),
        .init(name: "not enough nodes up", preference: ["a", "b", "c"], extended: ["d", "e", "f"],
              down: ["a", "b", "c", "e", "f"], targets: ["d>a"], unplaced: ["b", "c"]),
        .init(name: "extended list shorter than the gap", preference: ["a", "b", "c"], extended: ["d"],
              down: ["a", "c"], targets: ["d>a", "b"], unplaced: ["c"]),
        .init(name: "no extended list", preference: ["a", "b", "c"], extended: [], down: ["b"],
              targets: ["a", "c"], unplaced: ["b"]),
        .init(name: "everything down", preference: ["a", "b", "c"], extended: ["d"], down: ["a", "b", "c", "d"],
              targets: [], unplaced: ["a", "b", "c"]),
        .init(name: "an owner in the extended list is not a substitute", preference: ["a", "b", "c"],
              extended: ["c", "a", "d"], down: ["b"], targets: ["a", "d>b", "c"]),
        .init(name: "repeats in either list count once", preference: ["a", "b", "b", "c"], extended: ["d", "d", "e"],
              down: ["a", "b"], targets: ["d>a", "e>b", "c"]),
        .init(name: "single replica down", preference: ["a"], extended: ["b", "c"], down: ["a"],
              targets: ["b>a"]),
    ]

    static func describe(_ target: ReplicaTarget) -> String {
        target.hintFor.map { "\(target.node)>\($0)" } ?? target.node.name
    }

    @Test(arguments: scenarios)
    func scenario(_ scenario: PlanScenario) {
        var asked: [String: Int] = [:]
        let plan = ReplicaPlanner.plan(
            preferenceList: scenario.preference.map(NodeID.init),
            extended: scenario.extended.map(NodeID.init),
            isAvailable: { node in
                asked[node.name, default: 0] += 1
                return !scenario.down.contains(node.name)
            })
        #expect(plan.targets.map(Self.describe) == scenario.targets)
        #expect(plan.unplaced.map(\.name) == scenario.unplaced)
        #expect(plan.missing == scenario.unplaced.count)
        #expect(Set(plan.nodes).count == plan.nodes.count, "a node planned twice")
        #expect(plan.substitutes.allSatisfy { !scenario.down.contains($0.node.name) })
        #expect(asked.values.allSatisfy { $0 == 1 }, "availability asked more than once: \(asked)")
    }

    @Test func samePlanEveryTime() {
        let preference = ["a", "b", "c"].map(NodeID.init)
        let extended = ["d", "e", "f"].map(NodeID.init)
        let isAvailable: (NodeID) -> Bool = { $0.name != "a" && $0.name != "d" }
        let first = ReplicaPlanner.plan(preferenceList: preference, extended: extended, isAvailable: isAvailable)
        let second = ReplicaPlanner.plan(preferenceList: preference, extended: extended, isAvailable: isAvailable)
        #expect(first == second)
        #expect(first.targets.first == ReplicaTarget(node: NodeID("e"), hintFor: NodeID("a")))
        #expect(first.targets.first?.description == "e (for a)")
    }
}
