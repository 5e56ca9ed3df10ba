import NIOCore
@testable import RingtailRESP

/// A seeded generator, so a failing random split can be replayed from its seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Feeds `chunks` one after another into a cumulation buffer, as a socket would deliver them,
/// and collects every command the parser completes.
func parseCommands(_ chunks: [ByteBuffer], limits: RESPParser.Limits = RESPParser.Limits()) throws(RESPProtocolError) -> (commands: [RESPCommand], leftover: Int) {
    var parser = RESPParser(limits: limits)
    var cumulation = ByteBuffer()
    var commands: [RESPCommand] = []
    for var chunk in chunks {
        cumulation.writeBuffer(&chunk)
        parsing: while true {
            switch try parser.parseStep(&cumulation) {
            case .command(let command): commands.append(command)
            case .continueParsing: continue
            case .insufficientData: break parsing
            }
        }
    }
    return (commands, cumulation.readableBytes)
}

/// Same for values.
func parseValues(_ chunks: [ByteBuffer], limits: RESPValueParser.Limits = RESPValueParser.Limits()) throws(RESPProtocolError) -> [RESPValue] {
    var parser = RESPValueParser(limits: limits)
    var cumulation = ByteBuffer()
    var values: [RESPValue] = []
    for var chunk in chunks {
        cumulation.writeBuffer(&chunk)
        parsing: while true {
            switch try parser.parseStep(&cumulation) {
            case .value(let value): values.append(value)
            case .continueParsing: continue
            case .insufficientData: break parsing
            }
        }
    }
    return values
}

extension ByteBuffer {
    /// The readable bytes cut at random points.
    func randomSplits(using random: inout SeededRandom) -> [ByteBuffer] {
        var rest = self
        var pieces: [ByteBuffer] = []
        while rest.readableBytes > 0 {
            let length = Int.random(in: 1...max(1, min(rest.readableBytes, 17)), using: &random)
            pieces.append(rest.readSlice(length: length)!)
        }
        return pieces
    }

    /// One buffer per byte.
    var byteByByte: [ByteBuffer] {
        readableBytesView.map { ByteBuffer(bytes: [$0]) }
    }
}

func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
