import ProtoGenKit
import Testing

@Suite struct ValidatorTests {
    @Test func resolvesNamedTypesDeclaredLaterOrEarlier() throws {
        let schema = try validate(
            """
            protocol p
            version 9
            enum Early { none = 0; }
            message A @1 { Early early = 1; Late late = 2; optional Late maybe = 3; }
            message Late { }
            enum Status { ok = 1; unknown = 0; }
            message B @2 { Status status = 1; }
            """
        )
        #expect(schema.version == 9)
        let fields = schema.messages[0].fields
        #expect(fields[0].type == .enumeration(name: "Early", zeroValueName: "none"))
        #expect(fields[1].type == .message(name: "Late"))
        #expect(schema.messages[2].fields[0].type == .enumeration(name: "Status", zeroValueName: "unknown"))
        #expect(schema.framedMessages.map(\.name) == ["A", "B"])
        #expect(schema.messages.map(\.typeID) == [1, nil, 2])
    }

    @Test func ordersFieldsByNumberForEncoding() throws {
        let schema = try validate("protocol p\nversion 1\nmessage A @1 { uint32 c = 3; uint32 a = 1; uint32 b = 2; }\n")
        #expect(schema.messages[0].fields.map(\.name) == ["c", "a", "b"])
        #expect(schema.messages[0].fieldsByNumber.map(\.name) == ["a", "b", "c"])
    }

    @Test func storesOptionalRecursiveFieldsIndirectly() throws {
        let schema = try validate(
            """
            protocol p
            version 1
            message Node @1 { optional Node next = 1; repeated Node children = 2; optional Leaf leaf = 3; optional Pair pair = 4; }
            message Leaf { uint32 value = 1; }
            message Pair { Node first = 1; }
            """
        )
        let fields = schema.messages[0].fields
        #expect(fields.map(\.isIndirect) == [true, false, false, true])
        #expect(schema.messages[2].fields.map(\.isIndirect) == [false])
    }

    @Test func allowsRecursionThroughRepeatedFields() throws {
        let schema = try validate("protocol p\nversion 1\nmessage Tree @1 { repeated Tree children = 1; }\n")
        #expect(schema.messages[0].fields[0].isIndirect == false)
    }

    private func validate(_ text: String) throws -> ValidatedSchema {
        try ProtoGenerator.validate(schemaText: text, schemaPath: "test.proto")
    }
}
