import NIOCore

extension ByteBuffer {
    /// Offset from `readerIndex` of the `\r` of the first CRLF, looking at most `limit` bytes
    /// ahead; nil when there is none yet.
    @inlinable
    func respLineLength(limit: Int) -> Int? {
        withUnsafeReadableBytes { bytes in
            let end = Swift.min(bytes.count, limit &+ 2)
            guard end >= 2 else { return nil }
            var index = 0
            while index < end &- 1 {
                if bytes[index] == UInt8(ascii: "\r") {
                    if bytes[index &+ 1] == UInt8(ascii: "\n") { return index }
                }
                index &+= 1
            }
            return nil
        }
    }

    /// The signed decimal integer in the `length` bytes after `readerIndex` + `offset`;
    /// nil when they are not one (empty, stray characters, or out of `Int64`'s range).
    @inlinable
    func respInteger(at offset: Int, length: Int) -> Int64? {
        withUnsafeReadableBytes { bytes in
            guard length > 0, offset >= 0, offset &+ length <= bytes.count else { return nil }
            var index = offset
            let end = offset &+ length
            var negative = false
            if bytes[index] == UInt8(ascii: "-") {
                negative = true
                index &+= 1
                guard index < end else { return nil }
            }
            var value: Int64 = 0
            while index < end {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (next, overflow2) = negative
                    ? times10.subtractingReportingOverflow(Int64(digit))
                    : times10.addingReportingOverflow(Int64(digit))
                guard !overflow1, !overflow2 else { return nil }
                value = next
                index &+= 1
            }
            return value
        }
    }
}
