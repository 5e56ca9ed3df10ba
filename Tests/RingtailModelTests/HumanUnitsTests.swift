import RingtailModel
import Testing

@Suite struct HumanUnitsTests {
    @Test(arguments: [
        ("1024", 1024), ("256MiB", 256 << 20), ("64k", 65536), ("1GiB", 1 << 30),
        ("2MB", 2_000_000), ("1.5KiB", 1536), ("0", 0),
    ])
    func parsesByteCounts(text: String, bytes: Int) {
        #expect(HumanUnits.parseBytes(text) == bytes)
    }

    @Test(arguments: ["", "MiB", "-1", "12XB", "abc"])
    func rejectsBadByteCounts(text: String) {
        #expect(HumanUnits.parseBytes(text) == nil)
    }

    @Test(arguments: [
        ("30s", UInt64(30_000)), ("250ms", 250), ("5m", 300_000), ("2h", 7_200_000), ("10", 10_000), ("1.5s", 1500),
    ])
    func parsesDurations(text: String, millis: UInt64) {
        #expect(HumanUnits.parseMillis(text) == millis)
    }

    @Test(arguments: ["", "s", "-3s", "3 weeks", "1y"])
    func rejectsBadDurations(text: String) {
        #expect(HumanUnits.parseMillis(text) == nil)
    }

    @Test func formatsBytes() {
        #expect(HumanUnits.formatBytes(312) == "312 B")
        #expect(HumanUnits.formatBytes(1536) == "1.5 KiB")
        #expect(HumanUnits.formatBytes(256 << 20) == "256.0 MiB")
    }
}

@Suite struct HostAndPortTests {
    @Test func parsesCommonForms() {
        #expect(HostAndPort("127.0.0.1:7001") == HostAndPort(host: "127.0.0.1", port: 7001))
        #expect(HostAndPort("localhost:0") == HostAndPort(host: "localhost", port: 0))
        #expect(HostAndPort("[::1]:7001") == HostAndPort(host: "::1", port: 7001))
        #expect(HostAndPort("[::1]:7001")?.description == "[::1]:7001")
        #expect(HostAndPort.parseList("a:1,b:2") == [HostAndPort(host: "a", port: 1), HostAndPort(host: "b", port: 2)])
    }

    @Test(arguments: ["", "127.0.0.1", ":7001", "host:", "host:70000", "host:-1", "[::1]7001", "host:x"])
    func rejectsMalformed(text: String) {
        #expect(HostAndPort(text) == nil)
    }
}
