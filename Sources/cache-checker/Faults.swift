import Foundation

/// A fault the checker can inject through the cluster script.
enum FaultKind: String, Sendable, Codable, CaseIterable {
    /// SIGKILL, then restart empty.
    case kill
    /// SIGSTOP, then SIGCONT.
    case pause
    /// Graceful leave, then rejoin empty.
    case leave
    /// A network partition: one node cut off from all the others (minority | majority).
    case partition
    /// Two nodes cut off from each other while both still reach the rest (the bridge).
    case bridge

    /// Needs the cluster to run in network namespaces.
    var isNetwork: Bool { self == .partition || self == .bridge }
}

/// One fault as the cluster script sees it: what it hits, and the arguments that inject and heal it.
struct FaultPlan: Sendable, Equatable {
    var kind: FaultKind
    /// A node ("node-3"), or the groups of a partition ("node-1,node-2 | node-3").
    var target: String
    var inject: [String]
    var heal: [String]

    /// A fault of `kind` on randomly chosen nodes among `nodes` (node-1 … node-N).
    static func make(_ kind: FaultKind, nodes: [String], using random: inout some RandomNumberGenerator) -> FaultPlan {
        let shuffled = nodes.shuffled(using: &random)
        let first = shuffled[0]
        func index(_ node: String) -> String { String(node.dropFirst("node-".count)) }
        switch kind {
        case .kill: return FaultPlan(kind: kind, target: first, inject: ["kill", first], heal: ["restart", first])
        case .leave: return FaultPlan(kind: kind, target: first, inject: ["leave", first], heal: ["restart", first])
        case .pause: return FaultPlan(kind: kind, target: first, inject: ["pause", first], heal: ["resume", first])
        case .partition:
            let rest = nodes.filter { $0 != first }
            return FaultPlan(kind: kind, target: rest.joined(separator: ",") + " | " + first,
                             inject: ["partition", rest.map(index).joined(separator: ",") + "/" + index(first)], heal: ["heal"])
        case .bridge:
            let second = shuffled.count > 1 ? shuffled[1] : first
            let bridges = nodes.filter { $0 != first && $0 != second }
            return FaultPlan(kind: kind, target: "\(first) | \(second)" + (bridges.isEmpty ? "" : " (bridge \(bridges.joined(separator: ",")))"),
                             inject: ["partition", index(first) + "/" + index(second)], heal: ["heal"])
        }
    }
}

/// One injected fault, in run time (milliseconds since the start).
struct FaultWindow: Sendable, Codable {
    var kind: FaultKind
    /// What the fault hit: a node, or the groups of a partition.
    var node: String
    var startMillis: Double
    var endMillis: Double
    /// Whether both the fault and its healing succeeded.
    var ok: Bool
}

/// The faults of a run: the windows injected, and the kinds skipped because this machine cannot
/// inject them (network partitions without network namespaces).
struct FaultLog: Sendable {
    var windows: [FaultWindow] = []
    var skipped: [String] = []
}

/// Injects one fault at a time: a quiet half interval, then the fault for half an interval, then
/// healing (and waiting for every node to see all members again). Stops injecting when a fault
/// could not end before the workload's deadline, so the history ends healed.
struct FaultInjector: Sendable {
    let settings: RunSettings
    let clock: RunClock
    let progress: Progress

    /// The cluster script's exit status when the cluster cannot be partitioned.
    static let notPossibleHere: Int32 = 3

    func run(deadlineMillis: Double) async -> FaultLog {
        var log = FaultLog()
        guard !settings.faults.isEmpty, let clusterDir = settings.clusterDir else { return log }
        let nodes = nodeNames(clusterDir)
        guard !nodes.isEmpty else { return log }
        var random = SplitMix64(state: settings.seed ^ 0xFA17)
        var kinds = settings.faults
        let half = Double(settings.faultIntervalMillis) / 2
        var turn = 0
        while !kinds.isEmpty && clock.millis() + 2 * half < deadlineMillis {
            try? await Task.sleep(for: .milliseconds(Int64(half)))
            let plan = FaultPlan.make(kinds[turn % kinds.count], nodes: nodes, using: &random)
            turn += 1
            let start = clock.millis()
            progress.fault.withLock { $0 = "\(plan.kind.rawValue) \(plan.target)" }
            let injected = await scriptStatus(plan.inject)
            if injected == Self.notPossibleHere && plan.kind.isNetwork {
                progress.fault.withLock { $0 = "none" }
                say("network partitions are not possible here (the cluster does not run in network namespaces): skipping the \(plan.kind.rawValue) fault")
                log.skipped.append("\(plan.kind.rawValue) (no network namespaces)")
                kinds.removeAll { $0 == plan.kind }
                turn = 0
                continue
            }
            try? await Task.sleep(for: .milliseconds(Int64(half)))
            let healed = await heal(plan)
            progress.fault.withLock { $0 = "none" }
            log.windows.append(FaultWindow(kind: plan.kind, node: plan.target, startMillis: start, endMillis: clock.millis(),
                                           ok: injected == 0 && healed))
        }
        return log
    }

    private func heal(_ plan: FaultPlan) async -> Bool {
        let healed = await script(plan.heal)
        let members = await script(["wait-members", "\(settings.hosts.count)", "30"])
        return healed && members
    }

    /// The nodes the cluster directory knows, node-1 … node-N.
    private func nodeNames(_ clusterDir: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: clusterDir)) ?? []
        return files.filter { $0.hasPrefix("node-") && $0.hasSuffix(".args") }
            .map { String($0.dropLast(".args".count)) }
            .sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
    }

    func script(_ arguments: [String]) async -> Bool {
        await scriptStatus(arguments) == 0
    }

    /// Runs the cluster script with `arguments` and returns its exit status; its output goes to
    /// faults.log in the output directory. Not through Foundation's Process: it noticed the
    /// script's end only once the cache-node the script started (which inherited its bookkeeping
    /// descriptor) exited.
    func scriptStatus(_ arguments: [String]) async -> Int32 {
        guard let clusterDir = settings.clusterDir else { return -1 }
        let logPath = settings.out.appendingPathComponent("faults.log").path
        let stamp = String(format: "%.1f", clock.millis() / 1000)
        var environment = ProcessInfo.processInfo.environment
        environment["RINGTAIL_CLUSTER_DIR"] = clusterDir
        let command = [settings.clusterScript] + arguments
        return await ChildProcess.run(command, environment: environment, logPath: logPath,
                                      banner: "[\(stamp) s] \(arguments.joined(separator: " "))\n")
    }
}
