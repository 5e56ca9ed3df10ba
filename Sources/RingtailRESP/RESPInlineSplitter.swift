import NIOCore

/// Splits an inline command line into words the way Redis does (`sdssplitargs`): words are
/// separated by whitespace; `"…"` allows `\n`, `\r`, `\t`, `\b`, `\a`, `\\`, `\"` and `\xHH`
/// escapes; `'…'` allows `\'`; a closing quote must be followed by whitespace or the end.
enum RESPInlineSplitter {
    static func split(_ line: ByteBuffer) throws(RESPProtocolError) -> [ByteBuffer] {
        let bytes = line.readableBytesView
        var words: [ByteBuffer] = []
        var index = bytes.startIndex
        let end = bytes.endIndex
        while true {
            while index < end, isSpace(bytes[index]) { index += 1 }
            guard index < end else { return words }
            var word: [UInt8] = []
            var inDouble = false
            var inSingle = false
            var done = false
            while !done {
                if inDouble {
                    guard index < end else { throw RESPProtocolError(.unbalancedQuotes) }
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\\"), index + 3 < end, bytes[index + 1] == UInt8(ascii: "x"),
                       let high = hexValue(bytes[index + 2]), let low = hexValue(bytes[index + 3]) {
                        word.append(high << 4 | low)
                        index += 3
                    } else if byte == UInt8(ascii: "\\"), index + 1 < end {
                        index += 1
                        word.append(unescaped(bytes[index]))
                    } else if byte == UInt8(ascii: "\"") {
                        // The closing quote must end the word.
                        if index + 1 < end, !isSpace(bytes[index + 1]) { throw RESPProtocolError(.unbalancedQuotes) }
                        done = true
                    } else {
                        word.append(byte)
                    }
                } else if inSingle {
                    guard index < end else { throw RESPProtocolError(.unbalancedQuotes) }
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\\"), index + 1 < end, bytes[index + 1] == UInt8(ascii: "'") {
                        index += 1
                        word.append(UInt8(ascii: "'"))
                    } else if byte == UInt8(ascii: "'") {
                        if index + 1 < end, !isSpace(bytes[index + 1]) { throw RESPProtocolError(.unbalancedQuotes) }
                        done = true
                    } else {
                        word.append(byte)
                    }
                } else {
                    guard index < end else { break }
                    let byte = bytes[index]
                    if isSpace(byte) {
                        done = true
                    } else if byte == UInt8(ascii: "\"") {
                        inDouble = true
                    } else if byte == UInt8(ascii: "'") {
                        inSingle = true
                    } else {
                        word.append(byte)
                    }
                }
                if index < end { index += 1 }
            }
            words.append(ByteBuffer(bytes: word))
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    private static func unescaped(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "a"): 0x07
        default: byte
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
