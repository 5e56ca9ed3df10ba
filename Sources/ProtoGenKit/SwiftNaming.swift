/// How schema names become Swift names, and which names cannot be used because generated code needs them.
enum SwiftNaming {
    /// `GetRequest` → `getRequest`, `URLRequest` → `urlRequest`, `ID` → `id`: Swift's case for enum cases.
    static func lowerCamel(_ typeName: String) -> String {
        let characters = Array(typeName)
        let upperPrefix = characters.prefix { $0.isUppercase }.count
        guard upperPrefix > 0 else { return typeName }
        // In `URLRequest` the last capital of the run starts the next word; in `HTTP2Frame` or `ID` it does not.
        let runEndsWord = upperPrefix > 1 && upperPrefix < characters.count && characters[upperPrefix].isLowercase
        let lowered = runEndsWord ? upperPrefix - 1 : upperPrefix
        return String(characters[..<lowered]).lowercased() + String(characters[lowered...])
    }

    /// Backquotes a name that Swift would read as a keyword.
    static func escaped(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    static func isTypeName(_ name: String) -> Bool {
        name.first.map { $0.isASCII && $0.isUppercase } ?? false
    }

    static func isMemberName(_ name: String) -> Bool {
        name.first.map { $0.isASCII && $0.isLowercase } ?? false
    }

    /// Type names taken by the wire runtime, by generated dispatch code, or by the Swift types that generated
    /// code names unqualified; a message or enum of the same name would shadow them. Also the names whose
    /// `lowerCamel` form would collide with members of `MessageType` or `AnyMessage`.
    static let reservedTypeNames: Set<String> = [
        "AnyMessage", "MessageType", "WireProtocol", "WireMessage", "FramedMessage", "WireDecodingError",
        "WireTag", "WireType", "WireLimits", "WireIndirect", "ZigZag",
        "ByteBuffer", "String", "Bool", "UInt8", "UInt16", "UInt32", "UInt64", "Int", "Int64", "Array",
        "Optional", "Sendable", "Equatable", "Hashable", "Error", "Never", "Any", "Self", "Type", "Protocol",
        "Message", "Encode", "Init", "Description", "RawValue", "AllCases", "HashValue",
    ]

    /// Field names that no escaping makes usable as stored properties.
    static let reservedFieldNames: Set<String> = ["self", "init"]

    /// Enum value names that collide with the members of the generated `RawRepresentable` struct.
    static let reservedEnumValueNames: Set<String> = ["rawValue", "description", "hashValue", "self", "init"]

    private static let keywords: Set<String> = [
        "associatedtype", "borrowing", "class", "consuming", "deinit", "enum", "extension", "fileprivate",
        "func", "import", "init", "inout", "internal", "let", "nonisolated", "open", "operator", "private",
        "precedencegroup", "protocol", "public", "rethrows", "static", "struct", "subscript", "typealias",
        "var", "break", "case", "catch", "continue", "default", "defer", "do", "else", "fallthrough", "for",
        "guard", "if", "in", "repeat", "return", "throw", "switch", "where", "while", "as", "await", "false",
        "is", "nil", "self", "super", "throws", "true", "try",
    ]
}
