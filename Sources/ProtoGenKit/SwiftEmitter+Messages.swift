extension SwiftEmitter {
    func emitMessages() -> String {
        var writer = CodeWriter(header: header)
        writer.line()
        writer.line("import NIOCore")
        for message in schema.messages {
            writer.line()
            emitMessage(message, into: &writer)
        }
        return writer.text
    }

    private func emitMessage(_ message: MessageModel, into writer: inout CodeWriter) {
        let fields = message.fields.map(FieldCode.init)
        let conformance = message.typeID == nil ? "WireMessage" : "FramedMessage"
        writer.documentation(message.documentation)
        writer.block("public struct \(message.name): \(conformance) {") { body in
            if message.typeID != nil {
                body.line("public static let messageType: MessageType = .\(caseName(message))")
                body.line()
            }
            for field in fields {
                emitProperty(field, into: &body)
            }
            if !fields.isEmpty { body.line() }
            emitMemberwiseInit(fields, into: &body)
            body.line()
            emitEncode(fields, into: &body)
            body.line()
            emitDecode(fields, into: &body)
        }
    }

    private func emitProperty(_ field: FieldCode, into writer: inout CodeWriter) {
        writer.documentation(field.field.documentation)
        guard field.field.isIndirect else {
            writer.line("public var \(field.propertyName): \(field.propertyType)")
            return
        }
        writer.block("public var \(field.propertyName): \(field.propertyType) {") { accessors in
            accessors.line("get { self.\(field.storageName)?.value }")
            accessors.line("set { self.\(field.storageName) = newValue.map(WireIndirect.init) }")
        }
        writer.line("private var \(field.storageName): WireIndirect<\(field.elementType)>?")
    }

    private func emitMemberwiseInit(_ fields: [FieldCode], into writer: inout CodeWriter) {
        guard !fields.isEmpty else {
            writer.line("public init() {}")
            return
        }
        writer.line("public init(")
        for (index, field) in fields.enumerated() {
            let separator = index == fields.count - 1 ? "" : ","
            writer.line("    \(field.propertyName): \(field.propertyType) = \(field.defaultValue)\(separator)")
        }
        writer.block(") {") { body in
            for field in fields {
                if field.field.isIndirect {
                    body.line("self.\(field.storageName) = \(field.propertyName).map(WireIndirect.init)")
                } else {
                    body.line("self.\(field.propertyName) = \(field.propertyName)")
                }
            }
        }
    }

    private func emitEncode(_ fields: [FieldCode], into writer: inout CodeWriter) {
        guard !fields.isEmpty else {
            writer.line("public func encode(into buffer: inout ByteBuffer) {}")
            return
        }
        writer.block("public func encode(into buffer: inout ByteBuffer) {") { body in
            for field in fields.sorted(by: { $0.field.number < $1.field.number }) {
                let property = "self.\(field.propertyName)"
                switch field.field.label {
                case .singular:
                    if let condition = field.nonDefaultCondition(property) {
                        body.block("if \(condition) {") { $0.line(field.writeStatement(property)) }
                    } else {
                        body.line(field.writeStatement(property))
                    }
                case .optional:
                    // Bound to a fixed name: binding the field's own name would shadow `buffer` for a field so named.
                    body.block("if let value = \(property) {") { $0.line(field.writeStatement("value")) }
                case .repeated:
                    body.block("for element in \(property) {") { $0.line(field.writeStatement("element")) }
                }
            }
        }
    }

    private func emitDecode(_ fields: [FieldCode], into writer: inout CodeWriter) {
        let signature = "public init(decoding buffer: inout ByteBuffer, nestingDepth: Int) throws(WireDecodingError) {"
        writer.block(signature) { body in
            body.line("self.init()")
            body.block("while let tag = try buffer.readWireTag() {") { loop in
                guard !fields.isEmpty else {
                    loop.line("try buffer.skipWireField(tag)")
                    return
                }
                loop.switchBlock("tag.fieldNumber") { cases in
                    for field in fields.sorted(by: { $0.field.number < $1.field.number }) {
                        let property = "self.\(field.propertyName)"
                        let statement =
                            field.field.label == .repeated
                            ? "\(property).append(\(field.readExpression))"
                            : "\(property) = \(field.readExpression)"
                        cases.line("case \(field.field.number): \(statement)")
                    }
                    cases.line("default: try buffer.skipWireField(tag)")
                }
            }
        }
    }
}
