/// The Swift snippets for one field: its type, default, and the runtime calls that encode and decode it.
///
/// Generated code stays thin: presence rules are spelled out here, wire details live in the runtime helpers
/// (`writeWire…` / `readWire…` on `ByteBuffer`).
struct FieldCode {
    let field: FieldModel

    /// The property name as written in the schema, backquoted if Swift needs it.
    var propertyName: String { SwiftNaming.escaped(field.name) }

    /// The stored property behind an indirect field (`_name`; field names start lowercase, so no clash).
    var storageName: String { "_\(field.name)" }

    /// The type of one value, ignoring the label.
    var elementType: String {
        switch field.type {
        case .scalar(let scalar):
            switch scalar {
            case .uint32, .fixed32: "UInt32"
            case .uint64, .fixed64: "UInt64"
            case .int64: "Int64"
            case .bool: "Bool"
            case .bytes: "ByteBuffer"
            case .string: "String"
            }
        case .enumeration(let name, _), .message(let name):
            name
        }
    }

    var propertyType: String {
        switch field.label {
        case .singular: elementType
        case .optional: "\(elementType)?"
        case .repeated: "[\(elementType)]"
        }
    }

    var defaultValue: String {
        switch field.label {
        case .optional: return "nil"
        case .repeated: return "[]"
        case .singular: break
        }
        switch field.type {
        case .scalar(let scalar):
            switch scalar {
            case .uint32, .fixed32, .uint64, .fixed64, .int64: return "0"
            case .bool: return "false"
            case .bytes: return "ByteBuffer()"
            case .string: return "\"\""
            }
        case .enumeration(_, let zeroValueName):
            return ".\(SwiftNaming.escaped(zeroValueName))"
        case .message(let name):
            return "\(name)()"
        }
    }

    /// For non-optional scalars: the condition under which the value differs from its default and is sent.
    /// `nil` means always sent (non-optional messages).
    func nonDefaultCondition(_ value: String) -> String? {
        switch field.type {
        case .scalar(let scalar):
            switch scalar {
            case .uint32, .fixed32, .uint64, .fixed64, .int64: "\(value) != 0"
            case .bool: value
            case .bytes: "\(value).readableBytes != 0"
            case .string: "!\(value).isEmpty"
            }
        case .enumeration:
            "\(value).rawValue != 0"
        case .message:
            nil
        }
    }

    /// The call that appends one value, tag included.
    func writeStatement(_ value: String) -> String {
        let number = field.number
        switch field.type {
        case .scalar(let scalar):
            return "buffer.\(Self.writerName(scalar))(\(value), field: \(number))"
        case .enumeration:
            return "buffer.writeWireUInt32(\(value).rawValue, field: \(number))"
        case .message:
            return "buffer.writeWireMessage(\(value), field: \(number))"
        }
    }

    /// The expression that reads one value once its tag (`tag`) has been read.
    var readExpression: String {
        switch field.type {
        case .scalar(let scalar):
            "try buffer.\(Self.readerName(scalar))(tag)"
        case .enumeration(let name, _):
            "try \(name)(rawValue: buffer.readWireUInt32(tag))"
        case .message(let name):
            "try buffer.readWireMessage(\(name).self, tag, nestingDepth: nestingDepth)"
        }
    }

    private static func writerName(_ scalar: ScalarType) -> String {
        "writeWire" + helperSuffix(scalar)
    }

    private static func readerName(_ scalar: ScalarType) -> String {
        "readWire" + helperSuffix(scalar)
    }

    private static func helperSuffix(_ scalar: ScalarType) -> String {
        switch scalar {
        case .uint32: "UInt32"
        case .uint64: "UInt64"
        case .int64: "Int64"
        case .fixed32: "Fixed32"
        case .fixed64: "Fixed64"
        case .bool: "Bool"
        case .bytes: "Bytes"
        case .string: "String"
        }
    }
}
