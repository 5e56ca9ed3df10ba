import Foundation
import NIOCore
import RingtailWire
import RingtailModel

/// One measured phase of `cachectl bench`: a mix of SETs and GETs under one name.
struct BenchTest: Sendable, Equatable {
    var name: String
    var setWeight: UInt64
    var getWeight: UInt64

    static let set = BenchTest(name: "SET", setWeight: 1, getWeight: 0)
    static let get = BenchTest(name: "GET", setWeight: 0, getWeight: 1)

    /// A test from `--ratio set:get`; pure ratios get the plain names.
    static func mixed(set: UInt64, get: UInt64) -> BenchTest {
        if get == 0 { return .set }
        if set == 0 { return .get }
        return BenchTest(name: "SET:GET \(set):\(get)", setWeight: set, getWeight: get)
    }

    var readsKeys: Bool { getWeight > 0 }

    /// Parses `set:get` weights such as `1:1` or `9:1`.
    static func parseRatio(_ text: String) -> (set: UInt64, get: UInt64)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let set = UInt64(parts[0]), let get = UInt64(parts[1]), set + get > 0,
              set <= 1_000_000, get <= 1_000_000 else { return nil }
        return (set, get)
    }

    /// Parses `--tests set,get`. Tests run SET first whatever the order given, so GETs find
    /// what the SETs wrote, as in redis-benchmark; `mixed` is the `--ratio` mix.
    static func parseList(_ text: String, ratio: (set: UInt64, get: UInt64)) -> [BenchTest]? {
        var names: [String] = []
        for raw in text.split(separator: ",") {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            guard ["set", "get", "mixed"].contains(name) else { return nil }
            if !names.contains(name) { names.append(name) }
        }
        guard !names.isEmpty else { return nil }
        return ["set", "get", "mixed"].filter(names.contains).map { name in
            switch name {
            case "set": .set
            case "get": .get
            default: .mixed(set: ratio.set, get: ratio.get)
            }
        }
    }
}

/// How a phase picks keys: uniformly at random, or each key once in order (for prefilling).
enum KeyPattern: String, Sendable, CaseIterable {
    case random
    case sequential
}

/// Everything a driver needs to build requests: immutable, shared by all connections.
struct BenchWorkload: Sendable {
    var test: BenchTest
    var keyspace: Int
    var keyPattern: KeyPattern
    /// One value reused by every SET; ByteBuffer copies share its storage.
    var value: ByteBuffer

    enum Operation: Sendable {
        case set
        case get
    }

    /// The operation and key index of request `sequence`; `random` draws both. Both
    /// protocols' drivers pick through here, so a seed replays the same keys on either.
    func pick(sequence: Int, random: inout SplitMix64) -> (operation: Operation, keyIndex: Int) {
        let draw = random.next()
        let index = keyPattern == .sequential ? sequence % keyspace : Int(draw % UInt64(keyspace))
        let isSet: Bool
        if test.getWeight == 0 {
            isSet = true
        } else if test.setWeight == 0 {
            isSet = false
        } else {
            isSet = random.next() % (test.setWeight + test.getWeight) < test.setWeight
        }
        return (isSet ? .set : .get, index)
    }

    /// The binary-RPC request with global sequence number `sequence`.
    func request(sequence: Int, random: inout SplitMix64) -> (Operation, AnyMessage) {
        let (operation, index) = pick(sequence: sequence, random: &random)
        let key = Self.key(index)
        if operation == .set {
            return (.set, .setRequest(SetRequest(key: key, value: value, ttlMillis: nil, writeQuorum: nil)))
        }
        return (.get, .getRequest(GetRequest(key: key, readQuorum: nil)))
    }

    static let keyDigits = 12

    /// Bytes of every key: `key:` and the digits.
    static let keyLength = 4 + keyDigits

    /// `key:000000012345`, the shape redis-benchmark's `-r` keys have.
    static func key(_ index: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: keyLength)
        writeKey(index, into: &buffer)
        return buffer
    }

    /// Appends key `index` to `buffer` without a String in between: this runs once per
    /// request on the client's hot path.
    static func writeKey(_ index: Int, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("key:")
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: keyDigits) { bytes in
            var rest = index
            for position in stride(from: keyDigits - 1, through: 0, by: -1) {
                bytes[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            return keyDigits
        }
    }

    /// A value of `size` printable bytes.
    static func value(size: Int) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        for index in 0..<size {
            buffer.writeInteger(UInt8(ascii: "a") + UInt8(index % 26))
        }
        return buffer
    }
}

