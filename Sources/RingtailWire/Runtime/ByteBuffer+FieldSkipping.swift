import NIOCore

extension ByteBuffer {
    /// Moves past the value of a field this decoder does not know, as laid out by its wire type.
    ///
    /// This is what lets an older peer read a newer peer's messages: new fields are simply stepped over.
    public mutating func skipWireField(_ tag: WireTag) throws(WireDecodingError) {
        switch tag.wireType {
        case .varint:
            _ = try readVarint()
        case .fixed64:
            try skipBytes(8)
        case .fixed32:
            try skipBytes(4)
        case .lengthDelimited:
            try skipBytes(readWireLength())
        }
    }

    /// Reads the varint length in front of a length-delimited value, checking it fits in what is left.
    ///
    /// Checking here, before anything is allocated or sliced, keeps a huge claimed length from doing harm.
    mutating func readWireLength() throws(WireDecodingError) -> Int {
        let length = try readVarint()
        guard length <= UInt64(readableBytes) else {
            throw .truncated
        }
        return Int(length)
    }

    private mutating func skipBytes(_ count: Int) throws(WireDecodingError) {
        guard count <= readableBytes else {
            throw .truncated
        }
        moveReaderIndex(forwardBy: count)
    }
}
