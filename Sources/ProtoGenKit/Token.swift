/// One lexical unit of a schema.
struct Token: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case identifier(String)
        case integer(UInt64)
        case symbol(Character)
        case endOfFile
    }

    var kind: Kind
    var location: SourceLocation
    /// `//` lines directly above this token, with no blank line between; they become doc comments.
    var leadingComments: [String] = []
    /// A `//` comment after this token on the same line.
    var trailingComment: String?

    var identifier: String? {
        if case .identifier(let name) = kind { name } else { nil }
    }

    func isSymbol(_ symbol: Character) -> Bool {
        kind == .symbol(symbol)
    }

    func isKeyword(_ keyword: String) -> Bool {
        identifier == keyword
    }

    /// How the token reads in an error message.
    var quoted: String {
        switch kind {
        case .identifier(let name): "'\(name)'"
        case .integer(let value): "'\(value)'"
        case .symbol(let symbol): "'\(symbol)'"
        case .endOfFile: "end of file"
        }
    }
}
