import NIOCore

/// Parses client requests: arrays of bulk strings (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and
/// inline commands (`GET k\r\n`, as typed into telnet).
///
/// A plain struct with explicit state: `parseStep` consumes at most one protocol element per
/// call, so a request that arrives in pieces is never re-scanned from its start, and every
/// length is checked against `limits` before anything is buffered for it. Malformed input
/// throws a `RESPProtocolError`; nothing here traps on input.
///
/// Requests may not nest (an array inside a request is an error, as in Redis). Empty arrays
/// (`*0`, `*-1`) and blank inline lines are skipped.
public struct RESPParser: Sendable {
    /// Bounds on what one request may make the parser buffer.
    public struct Limits: Sendable, Hashable {
        /// Longest bulk string accepted.
        public var maxBulkBytes: Int
        /// Most arguments in one request (Redis: 1 Mi).
        public var maxArguments: Int
        /// Longest inline command line, and longest `*`/`$` header line (Redis: 64 KiB).
        public var maxInlineBytes: Int
        /// Most bytes of bulk payload in one request.
        public var maxCommandBytes: Int

        public init(maxBulkBytes: Int = 512 << 20, maxArguments: Int = 1 << 20, maxInlineBytes: Int = 64 << 10, maxCommandBytes: Int = 1 << 30) {
            self.maxBulkBytes = maxBulkBytes
            self.maxArguments = maxArguments
            self.maxInlineBytes = maxInlineBytes
            self.maxCommandBytes = maxCommandBytes
        }
    }

    /// What one step produced.
    public enum ParseResult: Sendable {
        /// A complete request.
        case command(RESPCommand)
        /// Progress was made; call again.
        case continueParsing
        /// The buffer holds no complete element; wait for more bytes.
        case insufficientData
    }

    enum State: Sendable, Hashable {
        /// Between requests.
        case idle
        /// Inside an array, before the `$` header of the next argument.
        case argumentHeader(remaining: Int)
        /// After a `$` header: `length` bytes and a CRLF to come.
        case argumentBody(length: Int, remaining: Int)
    }

    public var limits: Limits
    private(set) var state: State = .idle
    /// The arguments of the request being parsed. Reused from one request to the next: when
    /// the consumer lets go of a returned command before the next step, no array is allocated.
    private var arguments: [ByteBuffer] = []
    private var commandBytes = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// True between requests: nothing of a request is buffered.
    public var isIdle: Bool { state == .idle }

    /// Lets go of the last request's arguments, slices of the caller's buffer, so that the
    /// buffer is no longer shared and can be refilled in place. Only between requests.
    public mutating func releaseArguments() {
        if state == .idle { arguments.removeAll(keepingCapacity: true) }
    }

    /// Consumes at most one element of `buffer`.
    public mutating func parseStep(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> ParseResult {
        switch state {
        case .idle:
            guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return .insufficientData }
            if first == UInt8(ascii: "*") {
                if let command = parseWholeRequest(&buffer) { return .command(command) }
                return try parseArrayHeader(&buffer)
            }
            return try parseInline(&buffer)
        case .argumentHeader(let remaining):
            return try parseArgumentHeader(&buffer, remaining: remaining)
        case .argumentBody(let length, let remaining):
            return try parseArgumentBody(&buffer, length: length, remaining: remaining)
        }
    }

    /// The fast path for the usual case, a complete, well-formed request already in `buffer`:
    /// one pass over its bytes instead of a step (and a bounds-checked buffer access) per
    /// element. Returns nil, consuming nothing, when the request is incomplete or anything
    /// about it is unusual (empty, a header with a sign or more than 18 digits, a limit
    /// reached, a missing CRLF); the step parser then starts on the same bytes, so errors and
    /// limits are reported by one path only.
    @inline(__always)
    private mutating func parseWholeRequest(_ buffer: inout ByteBuffer) -> RESPCommand? {
        let limits = self.limits
        // Never accept a header line the step parser would find too long.
        let maxDigits = Swift.min(18, limits.maxInlineBytes &- 1)
        let base = buffer.readerIndex
        arguments.removeAll(keepingCapacity: true)
        let consumed = buffer.withUnsafeReadableBytes { bytes -> Int? in
            var position = 1
            guard let count = Self.headerNumber(bytes, &position, maxDigits: maxDigits), count > 0, count <= limits.maxArguments else { return nil }
            var total = 0
            for _ in 0..<count {
                guard position < bytes.count, bytes[position] == UInt8(ascii: "$") else { return nil }
                position &+= 1
                guard let length = Self.headerNumber(bytes, &position, maxDigits: maxDigits), length <= limits.maxBulkBytes else { return nil }
                total &+= length
                guard total <= limits.maxCommandBytes, bytes.count &- position >= length &+ 2,
                    bytes[position &+ length] == 0x0D, bytes[position &+ length &+ 1] == 0x0A
                else { return nil }
                arguments.append(buffer.getSlice(at: base &+ position, length: length)!)
                position &+= length &+ 2
            }
            return position
        }
        guard let consumed else { return nil }
        buffer.moveReaderIndex(forwardBy: consumed)
        return RESPCommand(arguments)
    }

    /// The unsigned decimal at `position` up to its CRLF, moving `position` past the CRLF; nil
    /// when it is absent, incomplete, empty, longer than `maxDigits` (at most 18) or not all
    /// digits.
    @inline(__always)
    private static func headerNumber(_ bytes: UnsafeRawBufferPointer, _ position: inout Int, maxDigits: Int) -> Int? {
        var index = position
        var value = 0
        let end = Swift.min(bytes.count, position &+ maxDigits)
        while index < end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ Int(digit)
            index &+= 1
        }
        guard index > position, bytes.count &- index >= 2, bytes[index] == 0x0D, bytes[index &+ 1] == 0x0A else { return nil }
        position = index &+ 2
        return value
    }

    private mutating func parseArrayHeader(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> ParseResult {
        guard let lineLength = buffer.respLineLength(limit: limits.maxInlineBytes) else {
            if buffer.readableBytes > limits.maxInlineBytes + 2 { throw RESPProtocolError(.tooBigCountLine) }
            return .insufficientData
        }
        guard let count = buffer.respInteger(at: 1, length: lineLength - 1), count <= limits.maxArguments else {
            throw RESPProtocolError(.invalidMultibulkLength)
        }
        buffer.moveReaderIndex(forwardBy: lineLength + 2)
        guard count > 0 else { return .continueParsing }
        arguments.removeAll(keepingCapacity: true)
        commandBytes = 0
        state = .argumentHeader(remaining: Int(count))
        return .continueParsing
    }

    private mutating func parseArgumentHeader(_ buffer: inout ByteBuffer, remaining: Int) throws(RESPProtocolError) -> ParseResult {
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return .insufficientData }
        guard first == UInt8(ascii: "$") else { throw RESPProtocolError(.expectedBulk(found: first)) }
        guard let lineLength = buffer.respLineLength(limit: limits.maxInlineBytes) else {
            if buffer.readableBytes > limits.maxInlineBytes + 2 { throw RESPProtocolError(.tooBigCountLine) }
            return .insufficientData
        }
        guard let length = buffer.respInteger(at: 1, length: lineLength - 1), length >= 0, length <= limits.maxBulkBytes else {
            throw RESPProtocolError(.invalidBulkLength)
        }
        commandBytes += Int(length)
        guard commandBytes <= limits.maxCommandBytes else { throw RESPProtocolError(.commandTooLarge(limit: limits.maxCommandBytes)) }
        buffer.moveReaderIndex(forwardBy: lineLength + 2)
        state = .argumentBody(length: Int(length), remaining: remaining)
        return .continueParsing
    }

    private mutating func parseArgumentBody(_ buffer: inout ByteBuffer, length: Int, remaining: Int) throws(RESPProtocolError) -> ParseResult {
        guard buffer.readableBytes >= length + 2 else { return .insufficientData }
        let end = buffer.readerIndex + length
        guard buffer.getInteger(at: end, as: UInt16.self) == 0x0D0A else { throw RESPProtocolError(.missingCRLF) }
        // Cannot fail: the bytes were counted above.
        let argument = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 2)
        arguments.append(argument)
        if remaining > 1 {
            state = .argumentHeader(remaining: remaining - 1)
            return .continueParsing
        }
        state = .idle
        return .command(RESPCommand(arguments))
    }

    private mutating func parseInline(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> ParseResult {
        let newline = buffer.withUnsafeReadableBytes { bytes in
            bytes.prefix(limits.maxInlineBytes + 2).firstIndex(of: UInt8(ascii: "\n"))
        }
        guard let newline else {
            if buffer.readableBytes > limits.maxInlineBytes { throw RESPProtocolError(.tooBigInlineRequest) }
            return .insufficientData
        }
        var line = buffer.readSlice(length: newline)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        guard line.readableBytes <= limits.maxInlineBytes else { throw RESPProtocolError(.tooBigInlineRequest) }
        let words = try RESPInlineSplitter.split(line)
        guard !words.isEmpty else { return .continueParsing }
        guard words.count <= limits.maxArguments else { throw RESPProtocolError(.invalidMultibulkLength) }
        return .command(RESPCommand(words))
    }
}
