import ArgumentParser
import Foundation
import RingtailClient
import RingtailModel

struct FillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill",
        abstract: "Write COUNT keys PREFIX0..PREFIXn with distinct values and append what was acknowledged to an expectations file (for verify)."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Key prefix.")
    var prefix: String = "key-"

    @Option(help: "How many keys.")
    var count: Int = 1000

    @Option(help: "Value size in bytes (values start with the key, so every value is distinct).")
    var valueSize: Int = 100

    @Option(help: "Delete every Nth key after writing it (0: none).")
    var deleteEvery: Int = 0

    @Option(help: "Append 'key<TAB>value' (or 'key<TAB>' for deleted) lines for acknowledged operations here.")
    var expect: String?

    @Option(help: "Requests in flight.")
    var concurrency: Int = 16

    func run() async throws {
        let client = try connection.makeClient()
        let valueSize = self.valueSize
        let prefix = self.prefix
        let deleteEvery = self.deleteEvery
        let results = try await withThrowingTaskGroup(of: (String, String?)?.self) { group in
            var lines: [(String, String?)] = []
            var next = 0
            func add() {
                let index = next
                next += 1
                group.addTask {
                    let key = "\(prefix)\(index)"
                    var value = Array("\(key)=".utf8)
                    while value.count < valueSize { value.append(UInt8(ascii: "a") + UInt8(value.count % 26)) }
                    do {
                        try await client.set(Array(key.utf8), value: value)
                        if deleteEvery > 0, index % deleteEvery == 0 {
                            try await client.delete(Array(key.utf8))
                            return (key, nil)
                        }
                        return (key, String(decoding: value, as: UTF8.self))
                    } catch {
                        printError("cachectl: \(key): \(error)")
                        return nil
                    }
                }
            }
            for _ in 0..<min(concurrency, count) { add() }
            while let result = try await group.next() {
                if let result { lines.append(result) }
                if next < count { add() }
            }
            return lines
        }
        await client.close()
        if let expect {
            let text = results.map { "\($0.0)\t\($0.1 ?? "")\n" }.joined()
            if let handle = FileHandle(forWritingAtPath: expect) {
                handle.seekToEndOfFile()
                handle.write(Data(text.utf8))
                try handle.close()
            } else {
                try text.write(toFile: expect, atomically: true, encoding: .utf8)
            }
        }
        print("acknowledged \(results.count) of \(count)")
        if results.count < count { throw ExitStatus.serverError }
    }
}
