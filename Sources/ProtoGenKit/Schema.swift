/// A schema file as written, before names are resolved and rules are checked.
public struct Schema: Equatable, Sendable {
    public var protocolName: String
    public var protocolLocation: SourceLocation
    public var version: UInt64
    public var versionLocation: SourceLocation
    /// In declaration order, which is also the order of the generated code.
    public var enums: [EnumDeclaration]
    public var messages: [MessageDeclaration]
}

/// `enum Name { value = N; ... }`
public struct EnumDeclaration: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    public var documentation: [String]
    public var values: [EnumValueDeclaration]
}

public struct EnumValueDeclaration: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    public var number: UInt64
    public var numberLocation: SourceLocation
    public var documentation: [String]
}

/// `message Name [@typeID] { fields }`
public struct MessageDeclaration: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    /// The frame type id after `@`; `nil` for messages that only travel inside others.
    public var typeID: UInt64?
    public var typeIDLocation: SourceLocation?
    public var documentation: [String]
    public var fields: [FieldDeclaration]
}

public struct FieldDeclaration: Equatable, Sendable {
    public var label: FieldLabel
    public var type: TypeReference
    public var typeLocation: SourceLocation
    public var name: String
    public var location: SourceLocation
    public var number: UInt64
    public var numberLocation: SourceLocation
    public var documentation: [String]
}

/// How many values a field holds.
public enum FieldLabel: String, Equatable, Sendable {
    /// Exactly one; its default value is not sent.
    case singular
    /// Zero or one; sent whenever present.
    case optional
    /// Any number, one tag per element.
    case repeated
}

/// A field's type as written: a built-in scalar or the name of an enum or message.
public enum TypeReference: Equatable, Sendable {
    case scalar(ScalarType)
    case named(String)
}

/// The built-in field types.
public enum ScalarType: String, CaseIterable, Equatable, Sendable {
    case uint32, uint64, int64, fixed32, fixed64, bool, bytes, string
}
