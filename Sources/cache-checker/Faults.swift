import Foundation

/// A fault the checker can inject through the cluster script.
enum FaultKind: String, Sendable, Codable {
    /// SIGKILL, then restart empty.
    case kill
    /// SIGSTOP, then SIGCONT.
    case pause
    /// Graceful leave, then rejoin empty.
    case leave

    var startCommand: String {
        switch self {
        case .kill: "kill"
        case .pause: "pause"
        case .leave: "leave"
        }
    }

    var healCommand: String {
        switch self {
        case .kill, .leave: "restart"
        case .pause: "resume"
        }
    }
}

/// One injected fault, in run time (milliseconds since the start).
struct FaultWindow: Sendable, Codable {
    var kind: FaultKind
    var node: String
    var startMillis: Double
    var endMillis: Double
    /// Whether both the fault and its healing succeeded.
    var ok: Bool
}

/// Injects one fault at a time on a random node: a quiet half interval, then the fault for half
/// an interval, then healing (and waiting for the node to be a member again). Stops injecting
/// when a fault could not end before the workload's deadline, so the history ends healed.
struct FaultInjector: Sendable {
    let settings: RunSettings
    let clock: RunClock
    let progress: Progress

    func run(deadlineMillis: Double) async -> [FaultWindow] {
        guard !settings.faults.isEmpty, let clusterDir = settings.clusterDir else { return [] }
        let nodes = nodeNames(clusterDir)
        guard !nodes.isEmpty else { return [] }
        var random = SplitMix64(state: settings.seed ^ 0xFA17)
        var windows: [FaultWindow] = []
        let half = Double(settings.faultIntervalMillis) / 2
        var turn = 0
        while clock.millis() + 2 * half < deadlineMillis {
            try? await Task.sleep(for: .milliseconds(Int64(half)))
            let kind = settings.faults[turn % settings.faults.count]
            turn += 1
            let node = nodes[Int.random(in: 0..<nodes.count, using: &random)]
            let start = clock.millis()
            progress.fault.withLock { $0 = "\(kind.rawValue) \(node)" }
            let injected = await script([kind.startCommand, node])
            try? await Task.sleep(for: .milliseconds(Int64(half)))
            let healed = await heal(kind, node)
            progress.fault.withLock { $0 = "none" }
            windows.append(FaultWindow(kind: kind, node: node, startMillis: start, endMillis: clock.millis(), ok: injected && healed))
        }
        return windows
    }

    private func heal(_ kind: FaultKind, _ node: String) async -> Bool {
        let healed = await script([kind.healCommand, node])
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

    /// Runs the cluster script with `arguments`; its output goes to faults.log in the output
    /// directory. Not through Foundation's Process: it noticed the script's end only once the
    /// cache-node the script started (which inherited its bookkeeping descriptor) exited.
    func script(_ arguments: [String]) async -> Bool {
        guard let clusterDir = settings.clusterDir else { return false }
        let logPath = settings.out.appendingPathComponent("faults.log").path
        let stamp = String(format: "%.1f", clock.millis() / 1000)
        var environment = ProcessInfo.processInfo.environment
        environment["RINGTAIL_CLUSTER_DIR"] = clusterDir
        let command = [settings.clusterScript] + arguments
        let status = await ChildProcess.run(command, environment: environment, logPath: logPath,
                                            banner: "[\(stamp) s] \(arguments.joined(separator: " "))\n")
        return status == 0
    }
}
