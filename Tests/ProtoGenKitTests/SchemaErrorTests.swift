import ProtoGenKit
import Testing

/// Each broken schema must be rejected with the `file:line:column: message` an editor can jump to.
@Suite struct SchemaErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var expected: String
        /// Prepends `protocol p` / `version 1`, so `body` starts on line 3.
        var withPreamble = true

        var testDescription: String { name }
        var text: String { withPreamble ? "protocol p\nversion 1\n" + body : body }
    }

    static let cases: [Case] = [
        // Syntax.
        Case(name: "missing semicolon", body: "message A @1 {\n    uint32 a = 1\n}\n", expected: "5:1: expected ';', found '}'"),
        Case(name: "missing equals", body: "message A @1 { uint32 a 1; }\n", expected: "3:25: expected '=', found '1'"),
        Case(name: "unterminated message", body: "message A @1 {\n    uint32 a = 1;\n", expected: "5:1: expected field type or '}', found end of file"),
        Case(name: "unknown top-level keyword", body: "service S {}\n", expected: "3:1: expected 'protocol', 'version', 'enum' or 'message', found 'service'"),
        Case(name: "unexpected character", body: "message A @1 { uint32 a = -1; }\n", expected: "3:27: unexpected character '-'"),
        Case(name: "block comment", body: "/* no */\n", expected: "3:1: expected '//' to start a comment (block comments are not supported)"),
        Case(name: "number too large", body: "message A @1 { uint32 a = 99999999999999999999; }\n", expected: "3:27: number is too large"),
        Case(name: "letters in a number", body: "message A @1 { uint32 a = 1x; }\n", expected: "3:28: unexpected character 'x' in number"),
        Case(name: "type id without number", body: "message A @ { }\n", expected: "3:13: expected message type id after '@', found '{'"),
        Case(name: "optional repeated", body: "message A @1 {\n    optional repeated uint32 a = 1;\n}\n", expected: "4:14: a field cannot be both 'optional' and 'repeated'"),
        Case(name: "repeated optional", body: "message A @1 { repeated optional uint32 a = 1; }\n", expected: "3:25: a field cannot be both 'optional' and 'repeated'"),
        Case(name: "optional optional", body: "message A @1 { optional optional uint32 a = 1; }\n", expected: "3:25: duplicate 'optional'"),
        Case(name: "missing protocol", body: "version 1\nmessage A @1 {}\n", expected: "1:1: missing 'protocol NAME' declaration", withPreamble: false),
        Case(name: "missing version", body: "protocol p\nmessage A @1 {}\n", expected: "1:1: missing 'version NUMBER' declaration", withPreamble: false),
        Case(name: "duplicate protocol", body: "protocol q\n", expected: "3:1: duplicate 'protocol' declaration"),
        Case(name: "duplicate version", body: "version 2\n", expected: "3:1: duplicate 'version' declaration"),
        Case(name: "enum value without number", body: "enum E { zero; }\n", expected: "3:14: expected '=', found ';'"),

        // Rules.
        Case(name: "duplicate field number", body: "message A @1 {\n    uint32 a = 1;\n    uint32 b = 1;\n}\n", expected: "5:16: field number 1 is already used by 'a'"),
        Case(name: "duplicate field name", body: "message A @1 {\n    uint32 a = 1;\n    bool a = 2;\n}\n", expected: "5:10: duplicate field name 'a' (first declared at 4:12)"),
        Case(name: "field number zero", body: "message A @1 { uint32 a = 0; }\n", expected: "3:27: field number must be between 1 and 536870911"),
        Case(name: "field number too large", body: "message A @1 { uint32 a = 536870912; }\n", expected: "3:27: field number must be between 1 and 536870911"),
        Case(name: "duplicate type name", body: "message A @1 {}\nenum A { zero = 0; }\n", expected: "4:6: duplicate type name 'A' (first declared at 3:9)"),
        Case(name: "duplicate type id", body: "message A @1 {}\nmessage B @1 {}\n", expected: "4:12: message type id 1 is already used by 'A'"),
        Case(name: "type id zero", body: "message A @0 {}\nmessage B @1 {}\n", expected: "3:12: message type id must be between 1 and 65535"),
        Case(name: "type id too large", body: "message A @65536 {}\nmessage B @1 {}\n", expected: "3:12: message type id must be between 1 and 65535"),
        Case(name: "unknown type", body: "message A @1 {\n    optional Missing m = 1;\n}\n", expected: "4:14: unknown type 'Missing'"),
        Case(name: "recursive containment", body: "message A @1 { B b = 1; }\nmessage B { A a = 1; }\n", expected: "3:18: message 'A' contains itself through non-optional fields (A.b → B.a); make one of them optional or repeated"),
        Case(name: "self containment", body: "message A @1 { uint32 x = 1; A again = 2; }\n", expected: "3:32: message 'A' contains itself through non-optional fields (A.again); make one of them optional or repeated"),
        Case(name: "enum without zero", body: "message A @1 {}\nenum E { one = 1; }\n", expected: "4:6: enum 'E' must have a value numbered 0 (its default)"),
        Case(name: "duplicate enum value name", body: "message A @1 {}\nenum E { zero = 0; zero = 1; }\n", expected: "4:20: duplicate enum value name 'zero' (first declared at 4:10)"),
        Case(name: "duplicate enum value number", body: "message A @1 {}\nenum E { zero = 0; nought = 0; }\n", expected: "4:29: enum value number 0 is already used by 'zero'"),
        Case(name: "enum value too large", body: "message A @1 {}\nenum E { zero = 0; big = 4294967296; }\n", expected: "4:26: enum value number must be at most 4294967295"),
        Case(name: "version zero", body: "protocol p\nversion 0\nmessage A @1 {}\n", expected: "2:9: version must be between 1 and 255", withPreamble: false),
        Case(name: "version too large", body: "protocol p\nversion 256\nmessage A @1 {}\n", expected: "2:9: version must be between 1 and 255", withPreamble: false),
        Case(name: "no framed message", body: "message A {}\n", expected: "1:1: no message can be sent as a frame; mark at least one with '@N'"),
        Case(name: "lowercase type name", body: "message a @1 {}\n", expected: "3:9: type name 'a' must start with an uppercase letter"),
        Case(name: "reserved type name", body: "message AnyMessage @1 {}\n", expected: "3:9: type name 'AnyMessage' is reserved by the generated code"),
        Case(name: "uppercase field name", body: "message A @1 { uint32 Count = 1; }\n", expected: "3:23: field name 'Count' must start with a lowercase letter"),
        Case(name: "unusable field name", body: "message A @1 { uint32 self = 1; }\n", expected: "3:23: field name 'self' cannot be used as a Swift property"),
        Case(name: "reserved enum value name", body: "message A @1 {}\nenum E { rawValue = 0; }\n", expected: "4:10: enum value name 'rawValue' is reserved by the generated code"),
        Case(name: "clashing MessageType cases", body: "message URLThing @1 {}\nmessage UrlThing @2 {}\n", expected: "4:9: message 'UrlThing' and 'URLThing' would both be MessageType.urlThing"),
    ]

    @Test(arguments: cases)
    func reportsErrorWithLocation(_ testCase: Case) {
        #expect(throws: SchemaError.self) {
            try ProtoGenerator.generate(schemaText: testCase.text, schemaPath: "test.proto")
        }
        do {
            _ = try ProtoGenerator.generate(schemaText: testCase.text, schemaPath: "test.proto")
        } catch {
            #expect(error.lines == ["test.proto:" + testCase.expected])
        }
    }

    @Test func reportsEveryRuleViolationAtOnceInSourceOrder() {
        let text = """
            protocol p
            version 1
            message B @1 { Nope n = 1; uint32 n = 1; }
            message A @1 { }
            """
        do {
            _ = try ProtoGenerator.generate(schemaText: text, schemaPath: "dir/schema.proto")
            Issue.record("expected the schema to be rejected")
        } catch {
            #expect(
                error.description == """
                    dir/schema.proto:3:16: unknown type 'Nope'
                    dir/schema.proto:3:35: duplicate field name 'n' (first declared at 3:21)
                    dir/schema.proto:3:39: field number 1 is already used by 'n'
                    dir/schema.proto:4:12: message type id 1 is already used by 'B'
                    """
            )
        }
    }
}
