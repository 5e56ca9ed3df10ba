import RingtailCrypto

/// A 16-byte BLAKE2b digest: a tree node, or one entry's contribution to its leaf.
///
/// 16 bytes, not BLAKE2b's usual 32: a comparison goes wrong only if two different contents
/// of one node hash alike, 2^-128 per compared pair, and halving the digest halves tree
/// memory and tree traffic.
/// The bytes are kept as two little-endian words so XOR and equality are two instructions.
public struct MerkleDigest: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 16

    /// Bytes 0..<8, little-endian.
    public var low: UInt64
    /// Bytes 8..<16, little-endian.
    public var high: UInt64

    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// XOR of nothing: an empty leaf.
    public static let zero = MerkleDigest(low: 0, high: 0)

    /// - Precondition: `bytes` holds exactly 16 bytes.
    public init(bytes: UnsafeRawBufferPointer) {
        precondition(bytes.count == Self.byteCount, "a digest is \(Self.byteCount) bytes")
        low = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        high = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    }

    /// The digest in `bytes`, or nil unless there are exactly 16.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self = bytes.withUnsafeBytes { MerkleDigest(bytes: $0) }
    }

    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.byteCount)
        out.withUnsafeMutableBytes { write(into: $0) }
        return out
    }

    /// Writes the 16 bytes at the start of `output`.
    public func write(into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= Self.byteCount, "output too small for a digest")
        output.storeBytes(of: low.littleEndian, toByteOffset: 0, as: UInt64.self)
        output.storeBytes(of: high.littleEndian, toByteOffset: 8, as: UInt64.self)
    }

    /// Lowercase hex of the bytes in order, as `cachectl digest` prints it.
    public var hex: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * Self.byteCount)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { hex }

    public static func ^ (lhs: MerkleDigest, rhs: MerkleDigest) -> MerkleDigest {
        MerkleDigest(low: lhs.low ^ rhs.low, high: lhs.high ^ rhs.high)
    }

    public static func ^= (lhs: inout MerkleDigest, rhs: MerkleDigest) {
        lhs = lhs ^ rhs
    }

    /// BLAKE2b-128 of `input`, keyed when `key` (16...64 bytes) is given. No allocation.
    static func blake2b(_ input: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) -> MerkleDigest {
        var output: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &output) { buffer in
            BLAKE2b.hash(input, into: buffer, key: key)
            return MerkleDigest(bytes: UnsafeRawBufferPointer(buffer))
        }
    }

    /// The digest of an inner node: BLAKE2b-128 over its children's bytes in order.
    static func inner(children: ArraySlice<MerkleDigest>) -> MerkleDigest {
        withUnsafeTemporaryAllocation(byteCount: children.count * byteCount, alignment: 8) { buffer in
            var offset = 0
            for child in children {
                child.write(into: UnsafeMutableRawBufferPointer(rebasing: buffer[offset...]))
                offset += byteCount
            }
            return blake2b(UnsafeRawBufferPointer(buffer))
        }
    }
}
