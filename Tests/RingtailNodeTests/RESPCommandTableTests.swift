import NIOCore
import Testing
@testable import RingtailNode

/// The command lookup, fast paths included, agrees with the spec table in any letter case.
@Suite struct RESPCommandTableTests {
    @Test func everyCommandResolvesToItsSpecInAnyCase() {
        for spec in RESPCommandTable.specs {
            for name in [spec.name.uppercased(), spec.name.lowercased(), spec.name.capitalized] {
                let found = RESPCommandTable.lookup(ByteBuffer(string: name))
                #expect(found?.kind == spec.kind && found?.arity == spec.arity, "\(name)")
            }
        }
    }

    @Test func unknownNamesResolveToNothing() {
        for name in ["GETT", "GE", "SETX", "", String(repeating: "A", count: 17)] {
            #expect(RESPCommandTable.lookup(ByteBuffer(string: name)) == nil, "\(name)")
        }
    }
}
