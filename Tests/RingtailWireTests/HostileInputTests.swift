import NIOCore
import RingtailWire
import Testing

/// Bodies crafted to break a decoder: each must fail with the error that names the problem.
@Suite struct HostileInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var type: MessageType
        var bytes: [UInt8]
        var expected: WireDecodingError.Kind

        var testDescription: String { name }
    }

    static let elevenByteVarint: [UInt8] = Array(repeating: 0x80, count: 10) + [0x01]
    static let maxVarint: [UInt8] = Array(repeating: 0xFF, count: 9) + [0x01]

    static let cases: [Case] = [
        Case(name: "length prefix beyond the body", type: .getRequest,
             bytes: [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x61], expected: .truncated),
        Case(name: "length prefix of 2^64 - 1", type: .setRequest,
             bytes: [0x12] + maxVarint + [0x00], expected: .truncated),
        Case(name: "unknown field with huge length", type: .pingRequest,
             bytes: WireImage.tag(99, .lengthDelimited) + [0xFF, 0xFF, 0xFF, 0xFF, 0x07], expected: .truncated),
        Case(name: "nested message longer than its body", type: .getResponse,
             bytes: [0x1A, 0x05, 0x09, 0x01], expected: .truncated),
        Case(name: "nested message truncated inside", type: .getResponse,
             bytes: [0x1A, 0x02, 0x09, 0x01], expected: .truncated),
        Case(name: "fixed64 cut short", type: .getResponse, bytes: [0x21, 1, 2, 3], expected: .truncated),
        Case(name: "tag without a value", type: .getRequest, bytes: [0x10], expected: .truncated),
        Case(name: "11-byte varint value", type: .getRequest, bytes: [0x10] + elevenByteVarint, expected: .malformedVarint),
        Case(name: "11-byte varint tag", type: .statsRequest, bytes: elevenByteVarint, expected: .malformedVarint),
        Case(name: "11-byte varint length", type: .getRequest, bytes: [0x0A] + elevenByteVarint, expected: .malformedVarint),
        Case(name: "10th varint byte past bit 63", type: .pingResponse,
             bytes: [0x10] + Array(repeating: 0xFF, count: 9) + [0x02], expected: .malformedVarint),
        Case(name: "wire type 3 (start group)", type: .getRequest,
             bytes: WireImage.rawTag(1, wireType: 3), expected: .invalidWireType(field: 1, wireType: 3)),
        Case(name: "wire type 4 (end group)", type: .getRequest,
             bytes: WireImage.rawTag(77, wireType: 4), expected: .invalidWireType(field: 77, wireType: 4)),
        Case(name: "wire type 6", type: .pingRequest,
             bytes: WireImage.rawTag(2, wireType: 6), expected: .invalidWireType(field: 2, wireType: 6)),
        Case(name: "wire type 7", type: .statsResponse,
             bytes: WireImage.rawTag(15, wireType: 7) + [0, 0], expected: .invalidWireType(field: 15, wireType: 7)),
        Case(name: "bytes field sent as varint", type: .getRequest,
             bytes: [0x08, 0x01], expected: .invalidWireType(field: 1, wireType: 0)),
        Case(name: "fixed64 field sent as fixed32", type: .getResponse,
             bytes: WireImage.tag(4, .fixed32) + [1, 2, 3, 4], expected: .invalidWireType(field: 4, wireType: 5)),
        Case(name: "message field sent as varint", type: .setResponse,
             bytes: [0x08, 0x00], expected: .invalidWireType(field: 1, wireType: 0)),
        Case(name: "uint32 one past its maximum", type: .getRequest,
             bytes: [0x10] + WireImage.varint(1 << 32), expected: .valueOutOfRange(field: 2)),
        Case(name: "uint32 at 2^64 - 1", type: .statsResponse,
             bytes: WireImage.tag(14, .varint) + maxVarint, expected: .valueOutOfRange(field: 14)),
        Case(name: "enum beyond UInt32", type: .errorResponse,
             bytes: [0x08] + WireImage.varint(1 << 40), expected: .valueOutOfRange(field: 1)),
        Case(name: "nested uint32 overflow", type: .statsResponse,
             bytes: [0x7A, 0x06, 0x08] + WireImage.varint(1 << 32), expected: .valueOutOfRange(field: 1)),
        Case(name: "invalid UTF-8 continuation", type: .errorResponse,
             bytes: [0x12, 0x02, 0xC3, 0x28], expected: .invalidUTF8(field: 2)),
        Case(name: "overlong UTF-8 encoding", type: .pingResponse,
             bytes: [0x0A, 0x02, 0xC0, 0xAF], expected: .invalidUTF8(field: 1)),
        Case(name: "UTF-16 surrogate in UTF-8", type: .statsResponse,
             bytes: [0x0A, 0x03, 0xED, 0xA0, 0x80], expected: .invalidUTF8(field: 1)),
        Case(name: "UTF-8 cut mid-character", type: .errorResponse,
             bytes: [0x12, 0x01, 0xE6], expected: .invalidUTF8(field: 2)),
        Case(name: "field number 0", type: .getRequest, bytes: [0x02, 0x00], expected: .invalidFieldNumber(0)),
        Case(name: "field number 2^29", type: .getRequest,
             bytes: WireImage.rawTag(1 << 29, wireType: 0) + [0], expected: .invalidFieldNumber(1 << 29)),
        Case(name: "tag of 2^64 - 1", type: .pingRequest, bytes: maxVarint, expected: .invalidFieldNumber(UInt64.max >> 3)),
        Case(name: "bad field after good ones", type: .setRequest,
             bytes: [0x0A, 0x01, 0x6B, 0x12, 0x01, 0x76] + WireImage.rawTag(3, wireType: 6), expected: .invalidWireType(field: 3, wireType: 6)),
    ]

    @Test(arguments: cases)
    func rejectsWithTheRightError(_ testCase: Case) {
        var body = ByteBuffer(bytes: testCase.bytes)
        #expect(throws: WireDecodingError(testCase.expected)) {
            try AnyMessage(type: testCase.type, decoding: &body)
        }
    }

    @Test func errorsDescribeThemselves() {
        #expect(WireDecodingError.truncated.description == "message body is truncated")
        #expect(
            WireDecodingError(.invalidWireType(field: 3, wireType: 6)).description == "invalid wire type 6 for field 3"
        )
        #expect(WireDecodingError(.invalidUTF8(field: 2)).description == "field 2 is not valid UTF-8")
    }
}
