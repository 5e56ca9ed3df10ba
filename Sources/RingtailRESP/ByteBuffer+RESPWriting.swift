import NIOCore

/// Writing RESP straight into a `ByteBuffer`: no intermediate values, no strings for numbers.
/// Methods that differ between RESP2 and RESP3 take the connection's `RESPVersion`.
extension ByteBuffer {
    @inlinable
    mutating func writeCRLF() {
        writeInteger(UInt16(0x0D0A))
    }

    /// `+OK\r\n`
    @inlinable
    public mutating func writeRESPOK() {
        writeWithUnsafeMutableBytes(minimumWritableBytes: 5) { out in
            out.storeBytes(of: UInt32(0x0D4B_4F2B).littleEndian, as: UInt32.self)  // "+OK\r"
            out.storeBytes(of: UInt8(0x0A), toByteOffset: 4, as: UInt8.self)
            return 5
        }
    }

    /// `+text\r\n`; `text` must not contain CR or LF.
    @inlinable
    public mutating func writeRESPSimpleString(_ text: String) {
        writeInteger(UInt8(ascii: "+"))
        writeString(text)
        writeCRLF()
    }

    /// `-text\r\n`, with CR and LF in `text` replaced by spaces, as Redis does. By convention
    /// `text` starts with an upper-case code such as `ERR`.
    public mutating func writeRESPError(_ text: String) {
        writeInteger(UInt8(ascii: "-"))
        if text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
            writeBytes(text.utf8.map { $0 == 0x0D || $0 == 0x0A ? 0x20 : $0 })
        } else {
            writeString(text)
        }
        writeCRLF()
    }

    /// `:n\r\n`
    @inlinable
    public mutating func writeRESPInteger(_ value: Int64) {
        writeInteger(UInt8(ascii: ":"))
        writeRESPDecimal(value)
        writeCRLF()
    }

    /// `$len\r\n<bytes>\r\n`
    @inlinable
    public mutating func writeRESPBulkString(_ bytes: ByteBuffer) {
        writeRESPBulkHeader(bytes.readableBytes)
        writeImmutableBuffer(bytes)
        writeCRLF()
    }

    /// `$len\r\n<bytes>\r\n`, reserved and written in one step: every GET hit goes through
    /// here, and five separate writes each paid NIO's uniqueness and capacity checks.
    @inlinable
    public mutating func writeRESPBulkString(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        writeWithUnsafeMutableBytes(minimumWritableBytes: count &+ Self.respBulkFraming) { out in
            let start = out.baseAddress!
            start.storeBytes(of: UInt8(ascii: "$"), as: UInt8.self)
            var position = 1 &+ Self.respFormatDecimal(Int64(count), into: start + 1)
            start.storeBytes(of: Self.respCRLF, toByteOffset: position, as: UInt16.self)
            position &+= 2
            if count > 0 { (start + position).copyMemory(from: bytes.baseAddress!, byteCount: count) }
            position &+= count
            start.storeBytes(of: Self.respCRLF, toByteOffset: position, as: UInt16.self)
            return position &+ 2
        }
    }

    /// Most bytes a bulk string adds besides its payload: `$`, 20 digits, two CRLFs.
    @inlinable
    static var respBulkFraming: Int { 25 }

    /// CR then LF, as a native-endian `UInt16` store lays them out.
    @inlinable
    static var respCRLF: UInt16 { UInt16(0x0A0D).littleEndian }

    /// Writes `value` in decimal at `out` (room for 20 bytes needed); returns the length.
    @inlinable
    static func respFormatDecimal(_ value: Int64, into out: UnsafeMutableRawPointer) -> Int {
        if value >= 0 && value < 10 {
            out.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value), as: UInt8.self)
            return 1
        }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, filled from the end
        return withUnsafeMutableBytes(of: &digits) { scratch -> Int in
            var position = scratch.count
            repeat {
                position -= 1
                scratch[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                position -= 1
                scratch[position] = UInt8(ascii: "-")
            }
            let length = scratch.count - position
            out.copyMemory(from: scratch.baseAddress! + position, byteCount: length)
            return length
        }
    }

    /// A bulk string holding `text` in UTF-8.
    @inlinable
    public mutating func writeRESPBulkString(_ text: String) {
        writeRESPBulkHeader(text.utf8.count)
        writeString(text)
        writeCRLF()
    }

    /// `$len\r\n`: the caller writes the bytes and the CRLF.
    @inlinable
    public mutating func writeRESPBulkHeader(_ length: Int) {
        writeInteger(UInt8(ascii: "$"))
        writeRESPDecimal(Int64(length))
        writeCRLF()
    }

    /// The null bulk string: RESP2 `$-1`, RESP3 `_`.
    @inlinable
    public mutating func writeRESPNull(_ version: RESPVersion) {
        switch version {
        case .resp2:
            writeWithUnsafeMutableBytes(minimumWritableBytes: 5) { out in
                out.storeBytes(of: UInt32(0x0D31_2D24).littleEndian, as: UInt32.self)  // "$-1\r"
                out.storeBytes(of: UInt8(0x0A), toByteOffset: 4, as: UInt8.self)
                return 5
            }
        case .resp3: writeInteger(UInt8(ascii: "_")); writeCRLF()
        }
    }

    /// The null array: RESP2 `*-1`, RESP3 `_`.
    @inlinable
    public mutating func writeRESPNullArray(_ version: RESPVersion) {
        switch version {
        case .resp2: writeInteger(UInt32(0x2A2D_310D)); writeInteger(UInt8(0x0A))  // "*-1\r\n"
        case .resp3: writeInteger(UInt8(ascii: "_")); writeCRLF()
        }
    }

    /// `*count\r\n`: `count` elements follow.
    @inlinable
    public mutating func writeRESPArrayHeader(_ count: Int) {
        writeInteger(UInt8(ascii: "*"))
        writeRESPDecimal(Int64(count))
        writeCRLF()
    }

    /// A map of `count` pairs: RESP3 `%count`, RESP2 an array of `2 * count` elements.
    @inlinable
    public mutating func writeRESPMapHeader(_ count: Int, _ version: RESPVersion) {
        switch version {
        case .resp2: writeRESPArrayHeader(count * 2)
        case .resp3:
            writeInteger(UInt8(ascii: "%"))
            writeRESPDecimal(Int64(count))
            writeCRLF()
        }
    }

    /// A set of `count` elements: RESP3 `~count`, RESP2 an array.
    @inlinable
    public mutating func writeRESPSetHeader(_ count: Int, _ version: RESPVersion) {
        switch version {
        case .resp2: writeRESPArrayHeader(count)
        case .resp3:
            writeInteger(UInt8(ascii: "~"))
            writeRESPDecimal(Int64(count))
            writeCRLF()
        }
    }

    /// RESP3 `#t`/`#f`; RESP2 `:1`/`:0`.
    @inlinable
    public mutating func writeRESPBoolean(_ value: Bool, _ version: RESPVersion) {
        switch version {
        case .resp2: writeRESPInteger(value ? 1 : 0)
        case .resp3:
            writeInteger(UInt8(ascii: "#"))
            writeInteger(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
            writeCRLF()
        }
    }

    /// RESP3 `,1.5`; RESP2 the same text as a bulk string. Infinities are `inf`/`-inf`.
    public mutating func writeRESPDouble(_ value: Double, _ version: RESPVersion) {
        let text = value.isNaN ? "nan" : value.isInfinite ? (value < 0 ? "-inf" : "inf") : "\(value)"
        switch version {
        case .resp2: writeRESPBulkString(text)
        case .resp3:
            writeInteger(UInt8(ascii: ","))
            writeString(text)
            writeCRLF()
        }
    }

    /// RESP3 verbatim string (`=len\r\ntxt:…`); RESP2 a bulk string of the text alone.
    public mutating func writeRESPVerbatimString(_ text: ByteBuffer, format: String = "txt", _ version: RESPVersion) {
        switch version {
        case .resp2: writeRESPBulkString(text)
        case .resp3:
            writeInteger(UInt8(ascii: "="))
            writeRESPDecimal(Int64(text.readableBytes + 4))
            writeCRLF()
            writeString(String(format.utf8.prefix(3)) ?? "txt")
            writeInteger(UInt8(ascii: ":"))
            writeImmutableBuffer(text)
            writeCRLF()
        }
    }

    /// `value` in decimal ASCII, without allocating.
    @inlinable
    public mutating func writeRESPDecimal(_ value: Int64) {
        if value >= 0 && value < 10 {
            writeInteger(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value))
            return
        }
        writeWithUnsafeMutableBytes(minimumWritableBytes: 20) { out in
            Self.respFormatDecimal(value, into: out.baseAddress!)
        }
    }
}
