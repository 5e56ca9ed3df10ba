import RingtailMembership
import RingtailModel
import Testing

@testable import RingtailNode

@Suite struct PeerDirectoryTests {
    @Test func liveMeansAliveOrSuspectedAndAddressesStayKnownWhateverTheState() {
        let states: [(String, MemberState)] = [("a", .alive), ("s", .suspect), ("d", .dead), ("l", .left)]
        let directory = PeerDirectory(members: states.map { name, state in
            Member(id: NodeID(name), address: "127.0.0.1:\(name.unicodeScalars.first!.value)", state: state)
        })
        #expect(directory.isLive(NodeID("a")) && directory.isLive(NodeID("s")))
        #expect(!directory.isLive(NodeID("d")) && !directory.isLive(NodeID("l")) && !directory.isLive(NodeID("nobody")))
        #expect(directory.address(of: NodeID("d")) == "127.0.0.1:100")
        #expect(directory.address(of: NodeID("nobody")) == nil)
        #expect(!PeerDirectory.empty.isLive(NodeID("a")))
    }
}
