import NIOCore

extension ByteBuffer {
    /// Writes `value` in `version`'s form; RESP3-only kinds are downgraded for RESP2 the way
    /// Redis downgrades them.
    public mutating func writeRESPValue(_ value: RESPValue, _ version: RESPVersion) {
        switch value {
        case .simpleString(let text): writeRESPSimpleString(text)
        case .error(let text): writeRESPError(text)
        case .integer(let number): writeRESPInteger(number)
        case .bulkString(let bytes): writeRESPBulkString(bytes)
        case .null: writeRESPNull(version)
        case .nullArray: writeRESPNullArray(version)
        case .array(let elements):
            writeRESPArrayHeader(elements.count)
            for element in elements { writeRESPValue(element, version) }
        case .set(let elements):
            writeRESPSetHeader(elements.count, version)
            for element in elements { writeRESPValue(element, version) }
        case .push(let elements):
            if version == .resp3 {
                writeInteger(UInt8(ascii: ">"))
                writeRESPDecimal(Int64(elements.count))
                writeCRLF()
            } else {
                writeRESPArrayHeader(elements.count)
            }
            for element in elements { writeRESPValue(element, version) }
        case .map(let pairs):
            writeRESPMapHeader(pairs.count, version)
            for pair in pairs {
                writeRESPValue(pair.key, version)
                writeRESPValue(pair.value, version)
            }
        case .double(let number): writeRESPDouble(number, version)
        case .boolean(let flag): writeRESPBoolean(flag, version)
        case .bigNumber(let digits):
            if version == .resp3 {
                writeInteger(UInt8(ascii: "("))
                writeString(digits)
                writeCRLF()
            } else {
                writeRESPBulkString(digits)
            }
        case .blobError(let bytes):
            if version == .resp3 {
                writeInteger(UInt8(ascii: "!"))
                writeRESPDecimal(Int64(bytes.readableBytes))
                writeCRLF()
                writeImmutableBuffer(bytes)
                writeCRLF()
            } else {
                writeRESPError(String(buffer: bytes))
            }
        case .verbatimString(let format, let text): writeRESPVerbatimString(text, format: format, version)
        }
    }

    /// Writes `command` as a client sends it: an array of bulk strings.
    public mutating func writeRESPCommand(_ command: RESPCommand) {
        writeRESPArrayHeader(command.count)
        for argument in command.arguments { writeRESPBulkString(argument) }
    }
}
