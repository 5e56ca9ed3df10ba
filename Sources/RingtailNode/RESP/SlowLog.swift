import NIOCore

/// Commands that took at least a threshold, newest first, as Redis's SLOWLOG keeps them:
/// an id, when it ran, how long, its arguments (cut short as Redis cuts them), and the client.
struct SlowLog: Sendable {
    struct Entry: Sendable, Equatable {
        var id: Int64
        var unixSeconds: Int64
        var micros: Int64
        var arguments: [[UInt8]]
        var clientAddress: String
        var clientName: String
    }

    /// Redis's limits on what one entry keeps of a command.
    static let maxArguments = 32
    static let maxArgumentBytes = 128

    private(set) var capacity: Int
    private(set) var entries = CircularBuffer<Entry>()
    private var nextID: Int64 = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var count: Int { entries.count }

    mutating func record(unixSeconds: Int64, micros: Int64, arguments: [[UInt8]], clientAddress: String, clientName: String) {
        guard capacity > 0 else { return }
        entries.prepend(Entry(id: nextID, unixSeconds: unixSeconds, micros: micros, arguments: arguments, clientAddress: clientAddress, clientName: clientName))
        nextID += 1
        while entries.count > capacity { entries.removeLast() }
    }

    /// The newest `limit` entries (all of them when nil).
    func newest(_ limit: Int?) -> [Entry] {
        Array(entries.prefix(limit ?? entries.count))
    }

    /// Keeps at most `newCapacity` entries from now on, dropping the oldest beyond it.
    mutating func resize(to newCapacity: Int) {
        capacity = max(0, newCapacity)
        while entries.count > capacity { entries.removeLast() }
    }

    /// Empties the log; ids keep counting, as in Redis.
    mutating func reset() {
        entries.removeAll()
    }

    /// A command's words as an entry keeps them: at most 32, the last standing for the rest
    /// ("... (N more arguments)"), each cut to 128 bytes ("... (N more bytes)"). `totalCount`:
    /// how many words the command had, when `words` holds only its first ones.
    static func summarize(_ words: [ByteBuffer], totalCount: Int? = nil) -> [[UInt8]] {
        let total = max(totalCount ?? words.count, words.count)
        let kept = min(words.count, total > maxArguments ? maxArguments - 1 : total)
        var summary: [[UInt8]] = words.prefix(kept).map { word in
            let bytes = word.readableBytesView
            guard bytes.count > maxArgumentBytes else { return Array(bytes) }
            return Array(bytes.prefix(maxArgumentBytes)) + Array("... (\(bytes.count - maxArgumentBytes) more bytes)".utf8)
        }
        if total > kept { summary.append(Array("... (\(total - kept) more arguments)".utf8)) }
        return summary
    }
}
