import ProtoGenKit
import Testing

@Suite struct ParserTests {
    @Test func parsesEveryScalarTypeAndLabel() throws {
        let schema = try parse(
            """
            protocol demo
            version 3
            message AllTypes @7 {
                uint32 a = 1;
                uint64 b = 2;
                int64 c = 3;
                fixed32 d = 4;
                fixed64 e = 5;
                bool f = 6;
                bytes g = 7;
                string h = 8;
                optional uint32 i = 9;
                repeated string j = 10;
            }
            """
        )
        #expect(schema.protocolName == "demo")
        #expect(schema.version == 3)
        let message = try #require(schema.messages.first)
        #expect(message.name == "AllTypes")
        #expect(message.typeID == 7)
        #expect(message.fields.map(\.type) == ScalarType.allCases.map(TypeReference.scalar) + [.scalar(.uint32), .scalar(.string)])
        #expect(message.fields.map(\.number) == Array(1...10))
        #expect(message.fields.map(\.label) == Array(repeating: .singular, count: 8) + [.optional, .repeated])
        #expect(message.fields.map(\.name) == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"])
    }

    @Test func parsesEnumsNestedMessagesAndEmptyMessages() throws {
        let schema = try parse(
            """
            protocol demo
            version 1
            message Outer @1 { Inner inner = 1; Color color = 2; repeated Inner many = 3; }
            message Inner { }
            enum Color { red = 0; green = 1; blue = 7; }
            """
        )
        #expect(schema.messages.map(\.name) == ["Outer", "Inner"])
        #expect(schema.messages[0].fields.map(\.type) == [.named("Inner"), .named("Color"), .named("Inner")])
        #expect(schema.messages[1].fields.isEmpty)
        #expect(schema.messages[1].typeID == nil)
        #expect(schema.enums.first?.values.map(\.name) == ["red", "green", "blue"])
        #expect(schema.enums.first?.values.map(\.number) == [0, 1, 7])
    }

    @Test func acceptsTopLevelStatementsInAnyOrder() throws {
        let schema = try parse("message A @1 {}\nversion 2\nenum E { zero = 0; }\nprotocol late\n")
        #expect(schema.protocolName == "late")
        #expect(schema.version == 2)
    }

    @Test func recordsLocationsOfNamesAndNumbers() throws {
        let schema = try parse("protocol p\nversion 1\nmessage A @12 {\n    optional bytes key = 42;\n}\n")
        let message = try #require(schema.messages.first)
        #expect(message.location == SourceLocation(line: 3, column: 9))
        #expect(message.typeIDLocation == SourceLocation(line: 3, column: 12))
        let field = try #require(message.fields.first)
        #expect(field.typeLocation == SourceLocation(line: 4, column: 14))
        #expect(field.location == SourceLocation(line: 4, column: 20))
        #expect(field.numberLocation == SourceLocation(line: 4, column: 26))
    }

    @Test func turnsAdjacentCommentsIntoDocumentation() throws {
        let schema = try parse(
            """
            // File header, detached by the blank line below.

            protocol p
            version 1

            // First line of the doc.
            // Second line.
            message A @1 { // ignored: the leading comment wins
                // Above the field.
                uint32 a = 1;
                uint32 b = 2; // After the field.
                uint32 c = 3;
            }

            enum E { // Trailing on the header.
                zero = 0; // The default.
            }
            """
        )
        let message = try #require(schema.messages.first)
        #expect(message.documentation == ["First line of the doc.", "Second line."])
        #expect(message.fields.map(\.documentation) == [["Above the field."], ["After the field."], []])
        #expect(schema.enums.first?.documentation == ["Trailing on the header."])
        #expect(schema.enums.first?.values.first?.documentation == ["The default."])
    }

    @Test func commentsAreIgnoredEverywhereElse() throws {
        let schema = try parse(
            """
            protocol p // the name
            version 1 // the version
            message A // name
            @1 // id
            { uint32 // type
            a // name
            = // equals
            1 // number
            ; }
            // trailing comment at end of file
            """
        )
        #expect(schema.messages.first?.fields.first?.name == "a")
    }

    @Test func fieldNamesMayBeLabelKeywords() throws {
        let schema = try parse("protocol p\nversion 1\nmessage A @1 { uint32 optional = 1; optional bool repeated = 2; }\n")
        #expect(schema.messages.first?.fields.map(\.name) == ["optional", "repeated"])
        #expect(schema.messages.first?.fields.map(\.label) == [.singular, .optional])
    }

    private func parse(_ text: String) throws -> Schema {
        try ProtoGenerator.parse(schemaText: text, schemaPath: "test.proto")
    }
}
