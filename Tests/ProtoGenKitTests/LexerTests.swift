@testable import ProtoGenKit
import Testing

@Suite struct LexerTests {
    @Test func tokenizesSymbolsNumbersAndIdentifiers() throws {
        let tokens = try Lexer.tokenize("message A_1 @42 {\n\tx = 0;}")
        #expect(tokens.map(\.kind) == [
            .identifier("message"), .identifier("A_1"), .symbol("@"), .integer(42), .symbol("{"),
            .identifier("x"), .symbol("="), .integer(0), .symbol(";"), .symbol("}"), .endOfFile,
        ])
        #expect(tokens[5].location == SourceLocation(line: 2, column: 2))
        #expect(tokens.last?.location == SourceLocation(line: 2, column: 9))
    }

    @Test func handlesWindowsLineEndingsAndEmptyInput() throws {
        let tokens = try Lexer.tokenize("a\r\nb // note\r\n")
        #expect(tokens.map(\.kind) == [.identifier("a"), .identifier("b"), .endOfFile])
        #expect(tokens[1].location == SourceLocation(line: 2, column: 1))
        #expect(tokens[1].trailingComment == "note")
        #expect(try Lexer.tokenize("").map(\.kind) == [.endOfFile])
    }

    @Test func countsColumnsInUnicodeScalarsInsideComments() throws {
        let tokens = try Lexer.tokenize("// 日本語 🦝\nx")
        #expect(tokens.first?.location == SourceLocation(line: 2, column: 1))
        #expect(tokens.first?.leadingComments == ["日本語 🦝"])
    }

    @Test(arguments: [
        ("GetRequest", "getRequest"), ("URLRequest", "urlRequest"), ("ID", "id"), ("A", "a"),
        ("HTTP2Frame", "http2Frame"), ("already", "already"),
    ])
    func lowerCamelCasesTypeNames(name: String, expected: String) {
        #expect(SwiftNaming.lowerCamel(name) == expected)
    }

    @Test func escapesSwiftKeywordsOnly() {
        #expect(SwiftNaming.escaped("default") == "`default`")
        #expect(SwiftNaming.escaped("class") == "`class`")
        #expect(SwiftNaming.escaped("key") == "key")
    }
}
