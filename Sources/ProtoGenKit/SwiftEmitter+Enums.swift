extension SwiftEmitter {
    func emitEnums() -> String {
        var writer = CodeWriter(header: header)
        for model in schema.enums {
            writer.line()
            emitEnum(model, into: &writer)
        }
        return writer.text
    }

    private func emitEnum(_ model: EnumModel, into writer: inout CodeWriter) {
        let typeName = model.name
        writer.documentation(model.documentation)
        if !model.documentation.isEmpty { writer.line("///") }
        writer.line("/// Open to values this build does not know, so a newer peer's codes pass through intact.")
        let declaration = "public struct \(typeName): RawRepresentable, Hashable, Sendable, CustomStringConvertible {"
        writer.block(declaration) { body in
            body.line("public var rawValue: UInt32")
            body.line()
            body.block("public init(rawValue: UInt32) {") { $0.line("self.rawValue = rawValue") }
            body.line()
            for (index, value) in model.values.enumerated() {
                // Documented values get a blank line around them; undocumented runs stay compact.
                let previousIsDocumented = index > 0 && !model.values[index - 1].documentation.isEmpty
                if index > 0 && (previousIsDocumented || !value.documentation.isEmpty) {
                    body.line()
                }
                body.documentation(value.documentation)
                body.line("public static let \(SwiftNaming.escaped(value.name)) = \(typeName)(rawValue: \(value.number))")
            }
            body.line()
            body.line("/// The value's name in the schema, or its number if this build does not know it.")
            body.block("public var description: String {") { getter in
                getter.switchBlock("rawValue") { cases in
                    for value in model.values {
                        cases.line("case \(value.number): \"\(value.name)\"")
                    }
                    cases.line("default: String(rawValue)")
                }
            }
        }
    }
}
