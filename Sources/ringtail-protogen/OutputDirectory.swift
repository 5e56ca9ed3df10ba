import Foundation
import ProtoGenKit

/// The directory generated files go to. Files in it that do not carry the generator's marker are never
/// touched, so hand-written files may sit beside generated ones.
struct OutputDirectory {
    var path: String

    enum Change: CustomStringConvertible {
        case create(GeneratedFile)
        case update(GeneratedFile)
        /// A generated file the schema no longer produces (a removed enum file, say).
        case removeStale(name: String)

        var description: String {
            switch self {
            case .create(let file): "missing: \(file.name)"
            case .update(let file): "differs: \(file.name)"
            case .removeStale(let name): "stale: \(name)"
            }
        }
    }

    /// What must change on disk for the directory to hold exactly `files` among its generated files.
    func changes(toMatch files: [GeneratedFile]) throws -> [Change] {
        var changes: [Change] = []
        for file in files {
            switch try existingContents(of: file.name) {
            case nil: changes.append(.create(file))
            case file.contents: break
            default: changes.append(.update(file))
            }
        }
        let wanted = Set(files.map(\.name))
        for name in try existingGeneratedFileNames() where !wanted.contains(name) {
            changes.append(.removeStale(name: name))
        }
        return changes
    }

    func apply(_ changes: [Change]) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for change in changes {
            switch change {
            case .create(let file), .update(let file):
                try Data(file.contents.utf8).write(to: url(of: file.name), options: .atomic)
            case .removeStale(let name):
                try FileManager.default.removeItem(at: url(of: name))
            }
        }
    }

    private func existingContents(of name: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: url(of: name).path) else { return nil }
        return try String(contentsOf: url(of: name), encoding: .utf8)
    }

    private func existingGeneratedFileNames() throws -> [String] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: path).sorted().filter { name in
            guard name.hasSuffix(".swift"), let contents = try? existingContents(of: name) else { return false }
            return ProtoGenerator.isGeneratedFile(contents: contents)
        }
    }

    private func url(of name: String) -> URL {
        URL(fileURLWithPath: path).appendingPathComponent(name)
    }
}
