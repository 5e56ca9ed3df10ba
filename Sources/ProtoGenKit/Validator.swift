/// Checks the rules a parsed schema must follow and resolves type names.
///
/// Unlike the parser it keeps going after a problem, so one run reports everything wrong with a schema.
struct Validator {
    private let schema: Schema
    private var diagnostics: [Diagnostic] = []
    /// Every declared type, by name, to resolve field types whatever the declaration order.
    private var declaredTypes: [String: DeclaredType] = [:]

    enum DeclaredType {
        case enumeration(EnumDeclaration)
        case message(MessageDeclaration)
    }

    private init(schema: Schema) {
        self.schema = schema
    }

    /// The resolved schema, which is only meaningful when `diagnostics` is empty.
    static func validate(_ schema: Schema) -> (schema: ValidatedSchema, diagnostics: [Diagnostic]) {
        var validator = Validator(schema: schema)
        let validated = validator.run()
        return (validated, validator.diagnostics)
    }

    private mutating func run() -> ValidatedSchema {
        if !(1...UInt64(UInt8.max)).contains(schema.version) {
            report("version must be between 1 and \(UInt8.max)", at: schema.versionLocation)
        }
        declareTypes()
        let enums = schema.enums.map { validateEnum($0) }
        var messages = schema.messages.map { validateMessage($0) }
        checkTypeIDs()
        diagnostics += RecursionAnalysis.reportRequiredCycles(in: schema.messages)
        RecursionAnalysis.markIndirectFields(in: &messages)
        return ValidatedSchema(
            protocolName: schema.protocolName,
            version: UInt8(clamping: schema.version),
            enums: enums,
            messages: messages
        )
    }

    private mutating func declareTypes() {
        var declarations: [(name: String, location: SourceLocation, type: DeclaredType)] = []
        declarations += schema.enums.map { ($0.name, $0.location, .enumeration($0)) }
        declarations += schema.messages.map { ($0.name, $0.location, .message($0)) }
        declarations.sort { $0.location < $1.location }

        for (name, location, type) in declarations {
            if !SwiftNaming.isTypeName(name) {
                report("type name '\(name)' must start with an uppercase letter", at: location)
            } else if SwiftNaming.reservedTypeNames.contains(name) {
                report("type name '\(name)' is reserved by the generated code", at: location)
            }
            if let earlier = declaredTypes[name] {
                report("duplicate type name '\(name)' (first declared at \(earlier.location))", at: location)
            } else {
                declaredTypes[name] = type
            }
        }
    }

    private mutating func validateEnum(_ declaration: EnumDeclaration) -> EnumModel {
        var seenNames: [String: SourceLocation] = [:]
        var seenNumbers: [UInt64: String] = [:]
        for value in declaration.values {
            if !SwiftNaming.isMemberName(value.name) {
                report("enum value name '\(value.name)' must start with a lowercase letter", at: value.location)
            } else if SwiftNaming.reservedEnumValueNames.contains(value.name) {
                report("enum value name '\(value.name)' is reserved by the generated code", at: value.location)
            }
            if let earlier = seenNames[value.name] {
                report("duplicate enum value name '\(value.name)' (first declared at \(earlier))", at: value.location)
            } else {
                seenNames[value.name] = value.location
            }
            if value.number > UInt64(UInt32.max) {
                report("enum value number must be at most \(UInt32.max)", at: value.numberLocation)
            } else if let earlier = seenNumbers[value.number] {
                report("enum value number \(value.number) is already used by '\(earlier)'", at: value.numberLocation)
            } else {
                seenNumbers[value.number] = value.name
            }
        }
        if seenNumbers[0] == nil {
            report("enum '\(declaration.name)' must have a value numbered 0 (its default)", at: declaration.location)
        }
        return EnumModel(
            name: declaration.name,
            documentation: declaration.documentation,
            values: declaration.values.map {
                EnumValueModel(name: $0.name, number: UInt32(clamping: $0.number), documentation: $0.documentation)
            }
        )
    }

    private mutating func validateMessage(_ declaration: MessageDeclaration) -> MessageModel {
        var seenNames: [String: SourceLocation] = [:]
        var seenNumbers: [UInt64: String] = [:]
        var fields: [FieldModel] = []
        for field in declaration.fields {
            if !SwiftNaming.isMemberName(field.name) {
                report("field name '\(field.name)' must start with a lowercase letter", at: field.location)
            } else if SwiftNaming.reservedFieldNames.contains(field.name) {
                report("field name '\(field.name)' cannot be used as a Swift property", at: field.location)
            }
            if let earlier = seenNames[field.name] {
                report("duplicate field name '\(field.name)' (first declared at \(earlier))", at: field.location)
            } else {
                seenNames[field.name] = field.location
            }
            if !(1...UInt64(WireLimits.maxFieldNumber)).contains(field.number) {
                report("field number must be between 1 and \(WireLimits.maxFieldNumber)", at: field.numberLocation)
            } else if let earlier = seenNumbers[field.number] {
                report("field number \(field.number) is already used by '\(earlier)'", at: field.numberLocation)
            } else {
                seenNumbers[field.number] = field.name
            }
            fields.append(
                FieldModel(
                    name: field.name,
                    number: UInt32(clamping: field.number),
                    label: field.label,
                    type: resolve(field.type, at: field.typeLocation),
                    isIndirect: false,
                    documentation: field.documentation
                )
            )
        }
        return MessageModel(
            name: declaration.name,
            documentation: declaration.documentation,
            typeID: declaration.typeID.map { UInt16(clamping: $0) },
            fields: fields
        )
    }

    private mutating func resolve(_ reference: TypeReference, at location: SourceLocation) -> FieldType {
        switch reference {
        case .scalar(let scalar):
            return .scalar(scalar)
        case .named(let name):
            switch declaredTypes[name] {
            case .enumeration(let declaration):
                let zero = declaration.values.first { $0.number == 0 }
                return .enumeration(name: name, zeroValueName: zero?.name ?? "")
            case .message:
                return .message(name: name)
            case nil:
                report("unknown type '\(name)'", at: location)
                return .message(name: name)
            }
        }
    }

    private mutating func checkTypeIDs() {
        var seenIDs: [UInt64: String] = [:]
        var seenCaseNames: [String: String] = [:]
        for message in schema.messages {
            guard let typeID = message.typeID, let location = message.typeIDLocation else { continue }
            if !(1...UInt64(UInt16.max)).contains(typeID) {
                report("message type id must be between 1 and \(UInt16.max)", at: location)
            } else if let earlier = seenIDs[typeID] {
                report("message type id \(typeID) is already used by '\(earlier)'", at: location)
            } else {
                seenIDs[typeID] = message.name
            }
            let caseName = SwiftNaming.lowerCamel(message.name)
            if let earlier = seenCaseNames[caseName], earlier != message.name {
                report("message '\(message.name)' and '\(earlier)' would both be MessageType.\(caseName)", at: message.location)
            } else {
                seenCaseNames[caseName] = message.name
            }
        }
        if !schema.messages.contains(where: { $0.typeID != nil }) {
            report("no message can be sent as a frame; mark at least one with '@N'", at: schema.protocolLocation)
        }
    }

    private mutating func report(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(message, at: location))
    }
}

extension Validator.DeclaredType {
    var location: SourceLocation {
        switch self {
        case .enumeration(let declaration): declaration.location
        case .message(let declaration): declaration.location
        }
    }
}

/// Limits of the wire format that the schema must respect.
enum WireLimits {
    /// Field numbers are 29 bits: the tag keeps the low three bits for the wire type.
    static let maxFieldNumber: UInt32 = 536_870_911
}
