import ArgumentParser
import Foundation
import NIOCore
import RingtailClient
import RingtailModel
import RingtailWire

struct FillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill",
        abstract: "Write COUNT keys PREFIX0..PREFIXn with distinct values and append what was acknowledged to an expectations file (for verify).",
        discussion: """
            Requests are pipelined on one connection, --concurrency in flight. With \
            --replica-only the writes go to the --host node's own store as replica writes (a \
            fresh version, no coordinator, no other replica, no hint): for making replicas \
            differ on purpose, e.g. to measure anti-entropy. Cluster messages must be allowed \
            (no cluster secret).
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Key prefix.")
    var prefix: String = "key-"

    @Option(help: "How many keys.")
    var count: Int = 1000

    @Option(help: "Index of the first key.")
    var start: Int = 0

    @Option(help: "Zero-pad key numbers to this many digits (0: no padding), e.g. prefix k- and 14 digits give 16-byte keys.")
    var keyDigits: Int = 0

    @Option(help: "Value size in bytes (values start with the key, so every value is distinct).")
    var valueSize: Int = 100

    @Option(help: "Delete every Nth key after writing it (0: none).")
    var deleteEvery: Int = 0

    @Option(help: "Append 'key<TAB>value' (or 'key<TAB>' for deleted) lines for acknowledged operations here.")
    var expect: String?

    @Option(help: "Requests in flight.")
    var concurrency: Int = 64

    @Flag(help: "Write to the --host node's store only, as a replica write with a fresh version (no replication, no hints).")
    var replicaOnly = false

    func validate() throws {
        guard count >= 0, start >= 0 else { throw ValidationError("--count and --start must not be negative") }
        guard (1...10_000).contains(concurrency) else { throw ValidationError("--concurrency must be 1...10000") }
        guard (0...30).contains(keyDigits) else { throw ValidationError("--key-digits must be 0...30") }
        guard valueSize >= 0 else { throw ValidationError("--value-size must not be negative") }
        guard deleteEvery >= 0 else { throw ValidationError("--delete-every must not be negative") }
    }

    func run() async throws {
        let client = try connection.makeClient()
        var plan = FillPlan(prefix: prefix, keyDigits: keyDigits, valueSize: valueSize, deleteEvery: deleteEvery, replicaOnly: replicaOnly)
        var lines: [(String, String?)] = []
        lines.reserveCapacity(expect == nil ? 0 : count)
        var acknowledged = 0
        var inFlight: [(index: Int, reply: EventLoopFuture<Bool>)] = []
        func settle(_ item: (index: Int, reply: EventLoopFuture<Bool>)) async {
            do {
                let deleted = try await item.reply.get()
                acknowledged += 1
                if expect != nil { lines.append((plan.key(item.index), deleted ? nil : plan.value(item.index))) }
            } catch {
                printError("cachectl: \(plan.key(item.index)): \(error)")
            }
        }
        for index in start..<(start + count) {
            inFlight.append((index, plan.write(index, on: client)))
            if inFlight.count >= concurrency { await settle(inFlight.removeFirst()) }
        }
        for item in inFlight { await settle(item) }
        await client.close()
        Output.line("acknowledged \(acknowledged) of \(count)")
        var expectationsWritten = true
        if let expect {
            do {
                try append(lines.map { "\($0.0)\t\($0.1 ?? "")\n" }.joined(), to: expect)
            } catch {
                printError("cachectl: cannot write \(expect): \(error.localizedDescription)")
                expectationsWritten = false
            }
        }
        if acknowledged < count { throw ExitStatus.serverError }
        if !expectationsWritten { throw ExitStatus.outputFailed }
    }

    /// Adds `text` at the end of the file at `path`, creating it when missing.
    private func append(_ text: String, to path: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            return try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}

/// The keys, values and requests of one `cachectl fill`.
struct FillPlan {
    let prefix: String
    let keyDigits: Int
    let valueSize: Int
    let deleteEvery: Int
    let replicaOnly: Bool
    /// Replica-only writes carry versions stamped here, as a coordinator would.
    var clock = HybridLogicalClock()
    static let node = NodeTag(rawValue: 0xFFFF_FFF0)

    func key(_ index: Int) -> String {
        guard keyDigits > 0 else { return "\(prefix)\(index)" }
        let digits = String(index)
        return prefix + String(repeating: "0", count: max(0, keyDigits - digits.count)) + digits
    }

    func value(_ index: Int) -> String {
        var value = Array("\(key(index))=".utf8)
        while value.count < valueSize { value.append(UInt8(ascii: "a") + UInt8(value.count % 26)) }
        return String(decoding: value.prefix(max(valueSize, 0)), as: UTF8.self)
    }

    /// Writes key `index` (then deletes it when it is a deleted one); the future is true
    /// when the key ended deleted. A server error fails it.
    mutating func write(_ index: Int, on client: RingtailClient) -> EventLoopFuture<Bool> {
        let key = ByteBuffer(string: self.key(index))
        let value = ByteBuffer(string: self.value(index))
        let deletes = deleteEvery > 0 && index % deleteEvery == 0
        let set: AnyMessage
        if replicaOnly {
            let entry = StoredEntry(key: key, state: .live, value: value, version: EntryVersion(stamp()))
            set = .replicaWriteRequest(ReplicaWriteRequest(entry: entry))
        } else {
            set = .setRequest(SetRequest(key: key, value: value))
        }
        let written = client.sendFuture(set).flatMapThrowing(Self.check)
        guard deletes else { return written.map { false } }
        let delete: AnyMessage
        if replicaOnly {
            let version = stamp()
            delete = .replicaWriteRequest(ReplicaWriteRequest(entry: StoredEntry(key: key, state: .tombstone, version: EntryVersion(version))))
        } else {
            delete = .deleteRequest(DeleteRequest(key: key))
        }
        return written.flatMap { client.sendFuture(delete) }.flatMapThrowing(Self.check).map { true }
    }

    private mutating func stamp() -> RingtailModel.Version {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        return RingtailModel.Version(timestamp: clock.tick(physicalMillis: now), node: Self.node)
    }

    /// Throws the server's error when `frame` is an error response.
    static func check(_ frame: Frame) throws {
        guard frame.messageType == .errorResponse else { return }
        var body = frame.body
        let error = try? ErrorResponse(decoding: &body)
        throw RingtailClientError.server(code: error?.code ?? .unspecified, message: error?.message ?? "unreadable error")
    }
}
