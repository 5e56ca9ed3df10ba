/// Recursive-descent parser from tokens to a ``Schema``; stops at the first syntax error.
///
/// Grammar (top-level statements in any order, `protocol` and `version` exactly once):
///
///     file    := ( "protocol" IDENT | "version" INT | enum | message )*
///     enum    := "enum" IDENT "{" ( IDENT "=" INT ";" )* "}"
///     message := "message" IDENT ( "@" INT )? "{" field* "}"
///     field   := ( "optional" | "repeated" )? TYPE IDENT "=" INT ";"
struct Parser {
    private let tokens: [Token]
    private var index = 0

    private init(tokens: [Token]) {
        self.tokens = tokens
    }

    static func parse(_ text: String) throws(SchemaParseFailure) -> Schema {
        var parser = Parser(tokens: try Lexer.tokenize(text))
        return try parser.parseFile()
    }

    private var current: Token { tokens[index] }

    private mutating func parseFile() throws(SchemaParseFailure) -> Schema {
        var protocolName: (name: String, location: SourceLocation)?
        var version: (value: UInt64, location: SourceLocation)?
        var enums: [EnumDeclaration] = []
        var messages: [MessageDeclaration] = []

        while current.kind != .endOfFile {
            let keyword = current
            switch keyword.identifier {
            case "protocol":
                guard protocolName == nil else {
                    throw SchemaParseFailure("duplicate 'protocol' declaration", at: keyword.location)
                }
                advance()
                protocolName = (try expectIdentifier("protocol name").name, keyword.location)
            case "version":
                guard version == nil else {
                    throw SchemaParseFailure("duplicate 'version' declaration", at: keyword.location)
                }
                advance()
                let number = try expectInteger("version number")
                version = (number.value, number.location)
            case "enum":
                enums.append(try parseEnum())
            case "message":
                messages.append(try parseMessage())
            default:
                throw unexpected("expected 'protocol', 'version', 'enum' or 'message'")
            }
        }

        let start = SourceLocation(line: 1, column: 1)
        guard let protocolName else {
            throw SchemaParseFailure("missing 'protocol NAME' declaration", at: start)
        }
        guard let version else {
            throw SchemaParseFailure("missing 'version NUMBER' declaration", at: start)
        }
        return Schema(
            protocolName: protocolName.name,
            protocolLocation: protocolName.location,
            version: version.value,
            versionLocation: version.location,
            enums: enums,
            messages: messages
        )
    }

    private mutating func parseEnum() throws(SchemaParseFailure) -> EnumDeclaration {
        let keyword = current
        advance()
        let name = try expectIdentifier("enum name")
        let brace = try expectSymbol("{")
        var values: [EnumValueDeclaration] = []
        while !current.isSymbol("}") {
            let valueName = try expectIdentifier("enum value name or '}'")
            try expectSymbol("=")
            let number = try expectInteger("enum value number")
            let semicolon = try expectSymbol(";")
            values.append(
                EnumValueDeclaration(
                    name: valueName.name,
                    location: valueName.location,
                    number: number.value,
                    numberLocation: number.location,
                    documentation: documentation(first: valueName.token, last: semicolon)
                )
            )
        }
        advance()
        return EnumDeclaration(
            name: name.name,
            location: name.location,
            documentation: documentation(first: keyword, last: brace),
            values: values
        )
    }

    private mutating func parseMessage() throws(SchemaParseFailure) -> MessageDeclaration {
        let keyword = current
        advance()
        let name = try expectIdentifier("message name")
        var typeID: (value: UInt64, location: SourceLocation)?
        if current.isSymbol("@") {
            advance()
            typeID = try expectInteger("message type id after '@'")
        }
        let brace = try expectSymbol("{")
        var fields: [FieldDeclaration] = []
        while !current.isSymbol("}") {
            fields.append(try parseField())
        }
        advance()
        return MessageDeclaration(
            name: name.name,
            location: name.location,
            typeID: typeID?.value,
            typeIDLocation: typeID?.location,
            documentation: documentation(first: keyword, last: brace),
            fields: fields
        )
    }

    private mutating func parseField() throws(SchemaParseFailure) -> FieldDeclaration {
        let first = current
        var label = FieldLabel.singular
        if let word = current.identifier, let written = FieldLabel(rawValue: word), written != .singular {
            label = written
            advance()
            if let second = current.identifier, let again = FieldLabel(rawValue: second), again != .singular {
                let message =
                    again == label
                    ? "duplicate '\(second)'" : "a field cannot be both 'optional' and 'repeated'"
                throw SchemaParseFailure(message, at: current.location)
            }
        }
        let typeName = try expectIdentifier("field type or '}'")
        let type = ScalarType(rawValue: typeName.name).map(TypeReference.scalar) ?? .named(typeName.name)
        let name = try expectIdentifier("field name")
        try expectSymbol("=")
        let number = try expectInteger("field number")
        let semicolon = try expectSymbol(";")
        return FieldDeclaration(
            label: label,
            type: type,
            typeLocation: typeName.location,
            name: name.name,
            location: name.location,
            number: number.value,
            numberLocation: number.location,
            documentation: documentation(first: first, last: semicolon)
        )
    }

    /// Comments above a declaration, or failing that one at the end of its first line.
    private func documentation(first: Token, last: Token) -> [String] {
        if !first.leadingComments.isEmpty { return first.leadingComments }
        return last.trailingComment.map { [$0] } ?? []
    }

    // MARK: Token helpers

    private mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    private mutating func expectIdentifier(
        _ what: String
    ) throws(SchemaParseFailure) -> (name: String, location: SourceLocation, token: Token) {
        let token = current
        guard let name = token.identifier else { throw unexpected("expected \(what)") }
        advance()
        return (name, token.location, token)
    }

    private mutating func expectInteger(_ what: String) throws(SchemaParseFailure) -> (value: UInt64, location: SourceLocation) {
        let token = current
        guard case .integer(let value) = token.kind else { throw unexpected("expected \(what)") }
        advance()
        return (value, token.location)
    }

    @discardableResult
    private mutating func expectSymbol(_ symbol: Character) throws(SchemaParseFailure) -> Token {
        let token = current
        guard token.isSymbol(symbol) else { throw unexpected("expected '\(symbol)'") }
        advance()
        return token
    }

    private func unexpected(_ expectation: String) -> SchemaParseFailure {
        SchemaParseFailure("\(expectation), found \(current.quoted)", at: current.location)
    }
}
