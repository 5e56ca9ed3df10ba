import RingtailMembership
import RingtailModel
import Testing

/// Traffic other than pings (replica replies) as evidence that a probed member is alive.
@Suite struct SWIMTrafficTests {
    /// `b` is pinged at 100; returns the node with the probe in flight.
    static func probing() -> SWIMInstance {
        var node = SWIMInstanceTests.knowing(["b"])
        let sends = SWIMInstanceTests.sends(node.tick(now: 100))
        #expect(sends.count == 1 && sends.first?.to == "b:7946")
        return node
    }

    static func stateAfterProbePeriod(_ node: inout SWIMInstance) -> MemberState? {
        let settings = SWIMSettings.lan
        _ = node.tick(now: 100 + settings.pingTimeoutMillis)
        _ = node.tick(now: 100 + settings.protocolPeriodMillis)
        return node.member(named: "b")?.state
    }

    @Test func trafficAfterThePingAnswersTheProbe() {
        var node = Self.probing()
        node.heardTraffic(from: "b:7946", atMillis: 150)
        #expect(Self.stateAfterProbePeriod(&node) == .alive)
        #expect(node.statistics.probesAnsweredByTraffic == 1)
        #expect(node.statistics.suspicionsRaised == 0)
        #expect(node.member(named: "b")?.lastHeardMillis == 150)
    }

    @Test func trafficFromBeforeThePingDoesNotAnswerIt() {
        var node = Self.probing()
        node.heardTraffic(from: "b:7946", atMillis: 99)
        #expect(Self.stateAfterProbePeriod(&node) == .suspect)
        #expect(node.statistics.probesAnsweredByTraffic == 0)
    }

    @Test func trafficFromAnotherMemberDoesNotAnswerTheProbe() {
        var node = SWIMInstanceTests.knowing(["b", "c"])
        let ping = SWIMInstanceTests.sends(node.tick(now: 100)).first { if case .ping = $0.message { true } else { false } }
        let target = ping?.to ?? ""
        let other = target == "b:7946" ? "c:7946" : "b:7946"
        node.heardTraffic(from: other, atMillis: 150)
        node.heardTraffic(from: "unknown:1", atMillis: 150)
        #expect(node.statistics.probesAnsweredByTraffic == 0)
        let settings = SWIMSettings.lan
        _ = node.tick(now: 100 + settings.pingTimeoutMillis)
        _ = node.tick(now: 100 + settings.protocolPeriodMillis + settings.pingTimeoutMillis)
        #expect(node.member(named: String(target.prefix { $0 != ":" }))?.state == .suspect)
    }
}
