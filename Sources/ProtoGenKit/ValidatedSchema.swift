/// A schema whose names resolve and whose rules hold: what the emitter turns into Swift.
public struct ValidatedSchema: Equatable, Sendable {
    public var protocolName: String
    public var version: UInt8
    /// In declaration order.
    public var enums: [EnumModel]
    /// In declaration order.
    public var messages: [MessageModel]

    /// The messages that can travel as frames, in declaration order.
    public var framedMessages: [MessageModel] {
        messages.filter { $0.typeID != nil }
    }
}

public struct EnumModel: Equatable, Sendable {
    public var name: String
    public var documentation: [String]
    /// In declaration order.
    public var values: [EnumValueModel]

    /// The value numbered 0, which every enum has and which non-optional fields default to.
    public var zeroValue: EnumValueModel? {
        values.first { $0.number == 0 }
    }
}

public struct EnumValueModel: Equatable, Sendable {
    public var name: String
    public var number: UInt32
    public var documentation: [String]
}

public struct MessageModel: Equatable, Sendable {
    public var name: String
    public var documentation: [String]
    public var typeID: UInt16?
    /// In declaration order, which is the order of properties and init parameters.
    public var fields: [FieldModel]

    /// In field-number order, the order fields are encoded in.
    public var fieldsByNumber: [FieldModel] {
        fields.sorted { $0.number < $1.number }
    }
}

public struct FieldModel: Equatable, Sendable {
    public var name: String
    public var number: UInt32
    public var label: FieldLabel
    public var type: FieldType
    /// Whether the field must live on the heap because its message type contains the enclosing message.
    public var isIndirect: Bool
    public var documentation: [String]
}

/// A field type with names resolved.
public enum FieldType: Equatable, Sendable {
    case scalar(ScalarType)
    /// An enum, with the name of its zero value (the default of non-optional fields).
    case enumeration(name: String, zeroValueName: String)
    case message(name: String)
}
