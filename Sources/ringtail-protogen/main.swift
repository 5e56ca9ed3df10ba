import Foundation
import ProtoGenKit

// ringtail-protogen <schema> --output-dir <dir> [--check]
//
// Exit status: 0 up to date or written, 1 `--check` found differences, 2 usage, schema or I/O error.

let usage = "usage: ringtail-protogen <schema.proto> --output-dir <directory> [--check]"

do {
    let options = try CommandLineOptions.parse(Array(CommandLine.arguments.dropFirst()))
    let schemaText = try String(contentsOfFile: options.schemaPath, encoding: .utf8)
    let files = try ProtoGenerator.generate(schemaText: schemaText, schemaPath: options.schemaPath)
    let directory = OutputDirectory(path: options.outputDirectory)
    let changes = try directory.changes(toMatch: files)
    if options.check {
        for change in changes {
            FileHandle.standardError.write(Data("\(change)\n".utf8))
        }
        if !changes.isEmpty {
            FileHandle.standardError.write(Data("generated code is out of date; run scripts/generate-proto.sh\n".utf8))
            exit(1)
        }
    } else {
        try directory.apply(changes)
    }
} catch let error as SchemaError {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(2)
} catch let error as CommandLineOptions.UsageError {
    FileHandle.standardError.write(Data("ringtail-protogen: \(error.message)\n\(usage)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("ringtail-protogen: \(error.localizedDescription)\n".utf8))
    exit(2)
}
