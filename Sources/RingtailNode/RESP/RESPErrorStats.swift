import NIOCore
import Synchronization

/// Error replies by their first word (`ERR`, `WRONGPASS`, `NOQUORUM`, …), as INFO's
/// `errorstats` section and `total_error_replies` count them. Only error replies count, so a
/// lock is cheap enough; like Redis, it stops adding new words after 128 of them, so a
/// client inventing errors cannot grow it.
final class RESPErrorStats: Sendable {
    static let maxPrefixes = 128
    private let counts = Mutex<[String: UInt64]>([:])

    /// Counts the error reply that starts at `index` of `buffer` (a `-` line); anything else
    /// is not an error reply and is not counted.
    func record(reply buffer: ByteBuffer, at index: Int) {
        guard buffer.getInteger(at: index, as: UInt8.self) == UInt8(ascii: "-") else { return }
        let available = min(64, buffer.writerIndex - index - 1)
        guard available > 0, let view = buffer.viewBytes(at: index + 1, length: available) else { return }
        let word = view.prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") }
        record(prefix: String(decoding: word, as: UTF8.self))
    }

    /// Counts an error reply whose text is `message` (without the leading `-`).
    func record(message: String) {
        record(prefix: String(message.prefix { $0 != " " && $0 != "\r" }))
    }

    private func record(prefix: String) {
        guard !prefix.isEmpty else { return }
        counts.withLock { counts in
            if let count = counts[prefix] {
                counts[prefix] = count &+ 1
            } else if counts.count < Self.maxPrefixes {
                counts[prefix] = 1
            }
        }
    }

    func snapshot() -> [String: UInt64] {
        counts.withLock { $0 }
    }
}
