import Foundation
import RingtailChecker

/// One checker run from start to verdict: workload and faults side by side, then healing,
/// settling, the final read of every replica, the check and the outputs.
struct Run: Sendable {
    let settings: RunSettings

    /// The exit status: 0 valid, 1 an invariant is broken, 2 the run failed.
    func execute() async -> Int32 {
        let clock = RunClock()
        let progress = Progress()
        do {
            try FileManager.default.createDirectory(at: settings.out, withIntermediateDirectories: true)
        } catch {
            say("cannot create \(settings.out.path): \(error)")
            return 2
        }
        say("seed \(settings.seed); \(settings.concurrency) clients on \(settings.hosts.count) nodes for \(settings.durationMillis) ms; W=\(settings.writeQuorum) R=\(settings.readQuorum); faults: \(settings.faults.isEmpty ? "none" : settings.faults.map(\.rawValue).joined(separator: ","))")
        let reporter = Task { await reportProgress(clock, progress) }
        let injector = FaultInjector(settings: settings, clock: clock, progress: progress)
        async let faultLog = injector.run(deadlineMillis: Double(settings.durationMillis))
        async let recorded = Workload(settings: settings, clock: clock, progress: progress).run()
        let history = await recorded
        let log = await faultLog
        let faults = log.windows
        reporter.cancel()
        let workloadEnd = UInt64(Date().timeIntervalSince1970 * 1000)
        say("workload done: \(history.count) operations; \(faults.count) faults injected and healed")

        if faults.contains(where: { !$0.ok }) {
            say("a fault could not be injected or healed (see \(settings.out.path)/faults.log)")
            return 2
        }
        guard history.contains(where: { $0.outcome == .ok }) else {
            say("no operation was acknowledged: is the cluster up?")
            return 2
        }

        let convergence = Convergence(settings: settings)
        say("waiting for anti-entropy to settle (at most \(settings.settleTimeoutMillis) ms)")
        let settled = await convergence.waitInSync(workloadEndUnixMillis: workloadEnd)
        say(settled.converged ? "in sync after \(Int(settled.millis)) ms" : "NOT in sync after \(Int(settled.millis)) ms: \(settled.lastStatus.joined(separator: "; "))")

        let finalState: FinalState
        let roots: Convergence.Roots
        do {
            let (ring, clients) = try await convergence.topology()
            finalState = try await convergence.finalState(ring: ring, clients: clients)
            roots = await convergence.compareRoots(ring: ring, clients: clients)
            for node in clients.values { await node.close() }
        } catch {
            say("cannot read the final state: \(error)")
            return 2
        }

        let report = Checker.check(history: history, finalState: finalState, staleReadsAreErrors: settings.staleReadsAreErrors,
                                   lostUpdatesAreErrors: !settings.lostUpdatesAreFigures)
        let valid = report.isValid && roots.differing == 0 && roots.unreadable == 0
        let summary = RunSummary(settings: settings, history: history, report: report, faults: faults, skippedFaults: log.skipped,
                                 settled: settled, roots: roots, valid: valid)
        print(summary.text(), terminator: "")
        do {
            try summary.write(history: history, to: settings.out)
        } catch {
            say("cannot write the outputs to \(settings.out.path): \(error)")
            return 2
        }
        return valid ? 0 : 1
    }

    /// One line a second on stderr: elapsed, throughput, errors, the current fault.
    private func reportProgress(_ clock: RunClock, _ progress: Progress) async {
        var previous = 0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { break }
            let operations = progress.operations.load(ordering: .relaxed)
            let fault = progress.fault.withLock { $0 }
            let elapsed = String(format: "%5.1f", clock.millis() / 1000)
            say("[\(elapsed) s] \(operations - previous) ops/s, \(operations) ops, \(progress.errors.load(ordering: .relaxed)) errors, fault: \(fault)")
            previous = operations
        }
    }
}

func say(_ message: String) {
    // The throwing write: a failing stderr must not stop the run (the old one traps).
    try? FileHandle.standardError.write(contentsOf: Data("cache-checker: \(message)\n".utf8))
}
