/// The answer to every request: a 100-byte bulk string, what a GET of redis-benchmark's
/// `-d 100` values returns.
enum FixedReply {
    static let bytes: [UInt8] = Array("$100\r\n".utf8) + Array(repeating: UInt8(ascii: "x"), count: 100) + Array("\r\n".utf8)

    /// Requests in `bytes`: every RESP request begins with `*`, and redis-benchmark's keys
    /// and values never contain one.
    static func requests(in bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        for byte in bytes where byte == UInt8(ascii: "*") { count += 1 }
        return count
    }
}
