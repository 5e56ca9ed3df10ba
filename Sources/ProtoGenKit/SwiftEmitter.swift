/// One file the generator writes; `name` is relative to the output directory.
public struct GeneratedFile: Equatable, Hashable, Sendable {
    public var name: String
    public var contents: String

    public init(name: String, contents: String) {
        self.name = name
        self.contents = contents
    }
}

/// Turns a validated schema into the Swift sources of the `RingtailWire` module.
///
/// Output depends only on the schema text and path (declaration order is kept, nothing is hashed or dated),
/// so regenerating an unchanged schema changes no byte.
struct SwiftEmitter {
    let schema: ValidatedSchema
    let schemaPath: String

    /// The first line of every generated file; also how the command recognises files it owns.
    var header: String {
        "\(ProtoGenerator.generatedFileMarker) from \(schemaPath). Do not edit; run scripts/generate-proto.sh."
    }

    /// The files in name order.
    func emit() -> [GeneratedFile] {
        var files: [GeneratedFile] = []
        if !schema.enums.isEmpty {
            files.append(GeneratedFile(name: "Enums.swift", contents: emitEnums()))
        }
        files.append(GeneratedFile(name: "Messages.swift", contents: emitMessages()))
        files.append(GeneratedFile(name: "MessageType.swift", contents: emitMessageType()))
        files.append(GeneratedFile(name: "AnyMessage.swift", contents: emitAnyMessage()))
        return files.sorted { $0.name < $1.name }
    }

    func caseName(_ message: MessageModel) -> String {
        SwiftNaming.escaped(SwiftNaming.lowerCamel(message.name))
    }
}
