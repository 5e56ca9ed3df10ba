import NIOCore

/// Parses any RESP2 or RESP3 value: what a client reads from a server.
///
/// Explicit state like `RESPParser`: each step consumes one element (a scalar, or the
/// header of an aggregate, which opens a frame on `stack`), so input split anywhere is
/// never re-scanned. Bulk lengths, aggregate lengths and nesting depth are bounded by
/// `limits`; malformed input throws.
public struct RESPValueParser: Sendable {
    public struct Limits: Sendable, Hashable {
        public var maxBulkBytes: Int
        public var maxAggregateLength: Int
        /// Aggregates inside aggregates beyond this depth are rejected.
        public var maxDepth: Int
        /// Longest simple string, error, number or header line.
        public var maxLineBytes: Int

        public init(maxBulkBytes: Int = 512 << 20, maxAggregateLength: Int = 1 << 20, maxDepth: Int = 32, maxLineBytes: Int = 64 << 10) {
            self.maxBulkBytes = maxBulkBytes
            self.maxAggregateLength = maxAggregateLength
            self.maxDepth = maxDepth
            self.maxLineBytes = maxLineBytes
        }
    }

    public enum ParseResult: Sendable {
        case value(RESPValue)
        case continueParsing
        case insufficientData
    }

    enum Aggregate: Sendable {
        case array, set, push, map
    }

    /// An aggregate whose elements are still arriving.
    struct Frame: Sendable {
        var kind: Aggregate
        var expected: Int
        var elements: [RESPValue]
    }

    public var limits: Limits
    private var stack: [Frame] = []

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public mutating func parseStep(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> ParseResult {
        guard let type = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return .insufficientData }
        guard let lineLength = buffer.respLineLength(limit: limits.maxLineBytes) else {
            if buffer.readableBytes > limits.maxLineBytes + 2 { throw RESPProtocolError(.tooBigCountLine) }
            return .insufficientData
        }
        let bodyStart = buffer.readerIndex + 1
        let bodyLength = lineLength - 1
        func text() -> String { buffer.getString(at: bodyStart, length: bodyLength) ?? "" }
        func integer() throws(RESPProtocolError) -> Int64 {
            guard let value = buffer.respInteger(at: 1, length: bodyLength) else { throw RESPProtocolError(.invalidNumber) }
            return value
        }

        let scalar: RESPValue
        switch type {
        case UInt8(ascii: "+"): scalar = .simpleString(text())
        case UInt8(ascii: "-"): scalar = .error(text())
        case UInt8(ascii: ":"): scalar = .integer(try integer())
        case UInt8(ascii: "_"):
            guard bodyLength == 0 else { throw RESPProtocolError(.invalidNumber) }
            scalar = .null
        case UInt8(ascii: "#"):
            switch text() {
            case "t": scalar = .boolean(true)
            case "f": scalar = .boolean(false)
            default: throw RESPProtocolError(.invalidNumber)
            }
        case UInt8(ascii: ","):
            guard let double = Double(text()) else { throw RESPProtocolError(.invalidNumber) }
            scalar = .double(double)
        case UInt8(ascii: "("):
            let digits = text()
            let unsigned = digits.first == "-" || digits.first == "+" ? digits.dropFirst() : Substring(digits)
            guard !unsigned.isEmpty, unsigned.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw RESPProtocolError(.invalidNumber)
            }
            scalar = .bigNumber(digits)
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
            let length = try integer()
            if length == -1, type == UInt8(ascii: "$") {
                buffer.moveReaderIndex(forwardBy: lineLength + 2)
                return complete(.null)
            }
            guard length >= 0, length <= limits.maxBulkBytes else { throw RESPProtocolError(.invalidBulkLength) }
            let payloadStart = lineLength + 2
            guard buffer.readableBytes >= payloadStart + Int(length) + 2 else { return .insufficientData }
            guard buffer.getInteger(at: buffer.readerIndex + payloadStart + Int(length), as: UInt16.self) == 0x0D0A else {
                throw RESPProtocolError(.missingCRLF)
            }
            buffer.moveReaderIndex(forwardBy: payloadStart)
            let payload = buffer.readSlice(length: Int(length))!
            buffer.moveReaderIndex(forwardBy: 2)
            switch type {
            case UInt8(ascii: "$"): return complete(.bulkString(payload))
            case UInt8(ascii: "!"): return complete(.blobError(payload))
            default:
                // `fmt:` then the text.
                guard payload.readableBytes >= 4, payload.getInteger(at: payload.readerIndex + 3, as: UInt8.self) == UInt8(ascii: ":") else {
                    throw RESPProtocolError(.invalidBulkLength)
                }
                var text = payload
                let format = text.readString(length: 3) ?? ""
                text.moveReaderIndex(forwardBy: 1)
                return complete(.verbatimString(format: format, text: text))
            }
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"):
            let length = try integer()
            buffer.moveReaderIndex(forwardBy: lineLength + 2)
            if length == -1, type == UInt8(ascii: "*") { return complete(.nullArray) }
            let kind: Aggregate = switch type {
            case UInt8(ascii: "*"): .array
            case UInt8(ascii: "~"): .set
            case UInt8(ascii: ">"): .push
            default: .map
            }
            guard length >= 0, length <= limits.maxAggregateLength else {
                throw RESPProtocolError(.invalidAggregateLength)
            }
            let elementCount = kind == .map ? Int(length) * 2 : Int(length)
            if elementCount == 0 { return complete(Self.build(kind, from: [])) }
            guard stack.count < limits.maxDepth else { throw RESPProtocolError(.nestingTooDeep(limit: limits.maxDepth)) }
            // Elements are not reserved up front: a hostile length must not allocate.
            stack.append(Frame(kind: kind, expected: elementCount, elements: []))
            return .continueParsing
        default:
            throw RESPProtocolError(.invalidTypeByte(type))
        }
        buffer.moveReaderIndex(forwardBy: lineLength + 2)
        return complete(scalar)
    }

    /// Hands `value` to the innermost open aggregate, closing every aggregate it completes.
    private mutating func complete(_ value: RESPValue) -> ParseResult {
        var value = value
        while !stack.isEmpty {
            stack[stack.count - 1].elements.append(value)
            guard stack[stack.count - 1].elements.count == stack[stack.count - 1].expected else { return .continueParsing }
            let frame = stack.removeLast()
            value = Self.build(frame.kind, from: frame.elements)
        }
        return .value(value)
    }

    private static func build(_ kind: Aggregate, from elements: [RESPValue]) -> RESPValue {
        switch kind {
        case .array: return .array(elements)
        case .set: return .set(elements)
        case .push: return .push(elements)
        case .map:
            var pairs: [RESPValue.Pair] = []
            pairs.reserveCapacity(elements.count / 2)
            var index = 0
            while index + 1 < elements.count {
                pairs.append(RESPValue.Pair(elements[index], elements[index + 1]))
                index += 2
            }
            return .map(pairs)
        }
    }
}
