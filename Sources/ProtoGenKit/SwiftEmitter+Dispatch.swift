extension SwiftEmitter {
    func emitMessageType() -> String {
        var writer = CodeWriter(header: header)
        writer.line()
        writer.line("/// Which message a frame carries; the frame header holds the raw value.")
        writer.block("public enum MessageType: UInt16, Sendable, CaseIterable, CustomStringConvertible {") { body in
            for message in schema.framedMessages {
                body.line("case \(caseName(message)) = \(message.typeID ?? 0)")
            }
            body.line()
            body.line("/// The message's name in the schema.")
            body.block("public var description: String {") { getter in
                getter.switchBlock("self") { cases in
                    for message in schema.framedMessages {
                        cases.line("case .\(caseName(message)): \"\(message.name)\"")
                    }
                }
            }
        }
        writer.line()
        writer.line("/// Facts about the `\(schema.protocolName)` protocol as a whole.")
        writer.block("public enum WireProtocol {") { body in
            body.line("/// The schema's `version`; every frame header carries it.")
            body.line("public static let version: UInt8 = \(schema.version)")
        }
        return writer.text
    }

    func emitAnyMessage() -> String {
        let framed = schema.framedMessages
        var writer = CodeWriter(header: header)
        writer.line()
        writer.line("import NIOCore")
        writer.line()
        writer.line("/// Any message that can travel as a frame, for code that handles whatever arrives.")
        writer.block("public enum AnyMessage: Sendable, Equatable {") { body in
            for message in framed {
                body.line("case \(caseName(message))(\(message.name))")
            }
            body.line()
            body.line("/// The type id the frame header carries for this message.")
            body.block("public var messageType: MessageType {") { getter in
                getter.switchBlock("self") { cases in
                    for message in framed {
                        cases.line("case .\(caseName(message)): .\(caseName(message))")
                    }
                }
            }
            body.line()
            body.line("/// The message itself, for code that is generic over message types.")
            body.block("public var message: any FramedMessage {") { getter in
                getter.switchBlock("self") { cases in
                    for message in framed {
                        cases.line("case .\(caseName(message))(let message): message")
                    }
                }
            }
            body.line()
            body.line("/// Decodes the body of a frame of the given type, consuming all readable bytes of `body`.")
            body.block("public init(type: MessageType, decoding body: inout ByteBuffer) throws(WireDecodingError) {") {
                initializer in
                initializer.switchBlock("type") { cases in
                    for message in framed {
                        cases.line("case .\(caseName(message)): self = try .\(caseName(message))(\(message.name)(decoding: &body))")
                    }
                }
            }
            body.line()
            body.line("/// Appends the message body (no frame header) to `buffer`.")
            body.block("public func encode(into buffer: inout ByteBuffer) {") { function in
                function.switchBlock("self") { cases in
                    for message in framed {
                        cases.line("case .\(caseName(message))(let message): message.encode(into: &buffer)")
                    }
                }
            }
        }
        return writer.text
    }
}
