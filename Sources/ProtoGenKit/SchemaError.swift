/// A position in the schema text; both numbers start at 1, columns count Unicode scalars.
public struct SourceLocation: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// One problem found in a schema, at the place it was found.
public struct Diagnostic: Hashable, Sendable {
    public var location: SourceLocation
    public var message: String

    public init(_ message: String, at location: SourceLocation) {
        self.location = location
        self.message = message
    }
}

/// A schema that could not be compiled; `description` lists every problem as `file:line:column: message`.
public struct SchemaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The schema path the diagnostics refer to, as given to the generator.
    public var file: String
    /// Problems in source order; the parser stops at its first, the validator reports all it finds.
    public var diagnostics: [Diagnostic]

    public init(file: String, diagnostics: [Diagnostic]) {
        self.file = file
        self.diagnostics = diagnostics.sorted { $0.location < $1.location }
    }

    /// Each diagnostic as `file:line:column: message`, the form editors and CI logs link to.
    public var lines: [String] {
        diagnostics.map { "\(file):\($0.location.line):\($0.location.column): \($0.message)" }
    }

    public var description: String { lines.joined(separator: "\n") }
}

/// A syntax error; the lexer and parser stop at the first one.
struct SchemaParseFailure: Error {
    var diagnostic: Diagnostic

    init(_ message: String, at location: SourceLocation) {
        diagnostic = Diagnostic(message, at: location)
    }
}
