import Foundation
import ProtoGenKit
import Testing

/// Fails when `Proto/ringtail.proto` (or the generator) changed but `scripts/generate-proto.sh` was not run.
@Suite struct GeneratedCodeIsCurrentTests {
    static let schemaPath = "Proto/ringtail.proto"
    static let generatedDirectory = "Sources/RingtailWire/Generated"

    /// `Tests/RingtailWireTests/<this file>` → the repository root.
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func committedFilesMatchTheSchema() throws {
        let schema = try String(contentsOf: Self.repositoryRoot.appendingPathComponent(Self.schemaPath), encoding: .utf8)
        let expected = try ProtoGenerator.generate(schemaText: schema, schemaPath: Self.schemaPath)

        let directory = Self.repositoryRoot.appendingPathComponent(Self.generatedDirectory)
        let committedNames = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".swift") }
            .sorted()
        #expect(committedNames == expected.map(\.name), "extra or missing files; run scripts/generate-proto.sh")

        for file in expected {
            let url = directory.appendingPathComponent(file.name)
            guard let committed = try? String(contentsOf: url, encoding: .utf8) else {
                Issue.record("\(file.name) is missing; run scripts/generate-proto.sh")
                continue
            }
            let difference = Self.firstDifference(committed, file.contents)
            #expect(difference == nil, "\(file.name) is out of date (\(difference ?? "")); run scripts/generate-proto.sh")
        }
    }

    /// Where two texts first part ways, as `line N: "committed" vs "generated"`; the whole files are too long to print.
    static func firstDifference(_ committed: String, _ generated: String) -> String? {
        guard committed != generated else { return nil }
        let committedLines = committed.split(separator: "\n", omittingEmptySubsequences: false)
        let generatedLines = generated.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(committedLines.count, generatedLines.count) {
            let left = index < committedLines.count ? String(committedLines[index]) : "<end of file>"
            let right = index < generatedLines.count ? String(generatedLines[index]) : "<end of file>"
            if left != right {
                return "line \(index + 1): \"\(left)\" vs \"\(right)\""
            }
        }
        return "line endings differ"
    }
}
