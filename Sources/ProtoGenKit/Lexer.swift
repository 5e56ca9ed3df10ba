/// Splits schema text into tokens, attaching `//` comments to the tokens they document.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var line = 1
    private var column = 1
    private var tokens: [Token] = []
    private var pendingComments: [String] = []
    private var lastPendingCommentLine = 0

    private init(text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// The whole token stream, ending with `.endOfFile`.
    static func tokenize(_ text: String) throws(SchemaParseFailure) -> [Token] {
        var lexer = Lexer(text: text)
        return try lexer.run()
    }

    private mutating func run() throws(SchemaParseFailure) -> [Token] {
        while let scalar = peek() {
            let start = SourceLocation(line: line, column: column)
            switch scalar {
            case "\n", " ", "\t", "\r":
                advance()
            case "/":
                try lexComment(at: start)
            case "{", "}", "=", ";", "@":
                advance()
                append(Token(kind: .symbol(Character(scalar)), location: start))
            case _ where Self.digitValue(scalar) != nil:
                try lexInteger(at: start)
            case _ where Self.isIdentifierStart(scalar):
                lexIdentifier(at: start)
            default:
                throw SchemaParseFailure("unexpected character '\(scalar.escaped(asASCII: true))'", at: start)
            }
        }
        append(Token(kind: .endOfFile, location: SourceLocation(line: line, column: column)))
        return tokens
    }

    private mutating func lexComment(at start: SourceLocation) throws(SchemaParseFailure) {
        advance()
        guard peek() == "/" else {
            throw SchemaParseFailure("expected '//' to start a comment (block comments are not supported)", at: start)
        }
        while peek() == "/" { advance() }
        var text = ""
        while let scalar = peek(), scalar != "\n" {
            text.unicodeScalars.append(scalar)
            advance()
        }
        let comment = String(text.trimmingSpaces())
        if let last = tokens.indices.last, tokens[last].location.line == start.line {
            tokens[last].trailingComment = comment
            return
        }
        // A blank line between comment lines detaches the earlier block (a file header, say) from what follows.
        if lastPendingCommentLine != start.line - 1 {
            pendingComments.removeAll()
        }
        pendingComments.append(comment)
        lastPendingCommentLine = start.line
    }

    private mutating func lexInteger(at start: SourceLocation) throws(SchemaParseFailure) {
        var value: UInt64 = 0
        var overflowed = false
        while let scalar = peek(), let digit = Self.digitValue(scalar) {
            let (times10, multiplyOverflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, addOverflow) = times10.addingReportingOverflow(digit)
            overflowed = overflowed || multiplyOverflow || addOverflow
            value = sum
            advance()
        }
        if let scalar = peek(), Self.isIdentifierStart(scalar) {
            throw SchemaParseFailure(
                "unexpected character '\(scalar)' in number",
                at: SourceLocation(line: line, column: column)
            )
        }
        guard !overflowed else {
            throw SchemaParseFailure("number is too large", at: start)
        }
        append(Token(kind: .integer(value), location: start))
    }

    private mutating func lexIdentifier(at start: SourceLocation) {
        var name = ""
        while let scalar = peek(), Self.isIdentifierStart(scalar) || Self.digitValue(scalar) != nil {
            name.unicodeScalars.append(scalar)
            advance()
        }
        append(Token(kind: .identifier(name), location: start))
    }

    private mutating func append(_ token: Token) {
        var token = token
        if !pendingComments.isEmpty && lastPendingCommentLine == token.location.line - 1 {
            token.leadingComments = pendingComments
        }
        pendingComments.removeAll()
        lastPendingCommentLine = 0
        tokens.append(token)
    }

    private func peek() -> Unicode.Scalar? {
        position < scalars.count ? scalars[position] : nil
    }

    private mutating func advance() {
        if scalars[position] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        position += 1
    }

    private static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func digitValue(_ scalar: Unicode.Scalar) -> UInt64? {
        ("0"..."9").contains(scalar) ? UInt64(scalar.value - Unicode.Scalar("0").value) : nil
    }
}

extension StringProtocol {
    /// Drops leading and trailing blanks.
    func trimmingSpaces() -> SubSequence {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
