import Foundation
import ProtoGenKit

// ringtail-protogen <schema> --output-dir <dir> [--check]
//
// Exit status: 0 up to date or written, 1 `--check` found differences, 2 usage, schema or I/O error.

let usage = "usage: ringtail-protogen <schema.proto> --output-dir <directory> [--check]"

func printError(_ message: String) {
    try? FileHandle.standardError.write(contentsOf: Data((message + "\n").utf8))
}

func fail(_ message: String) -> Never {
    printError("ringtail-protogen: \(message)")
    exit(2)
}

let options: CommandLineOptions
do {
    options = try CommandLineOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    fail("\(error.message)\n\(usage)")
}

let schemaText: String
do {
    schemaText = try String(contentsOfFile: options.schemaPath, encoding: .utf8)
} catch {
    fail("cannot read \(options.schemaPath): \(error.localizedDescription)")
}

let files: [GeneratedFile]
do {
    files = try ProtoGenerator.generate(schemaText: schemaText, schemaPath: options.schemaPath)
} catch {
    // Already `file:line:column: message` lines; no prefix, so editors can link them.
    printError(error.description)
    exit(2)
}

let directory = OutputDirectory(path: options.outputDirectory)
do {
    let changes = try directory.changes(toMatch: files)
    if options.check {
        guard changes.isEmpty else {
            changes.forEach { printError("\($0)") }
            printError("generated code is out of date; run scripts/generate-proto.sh")
            exit(1)
        }
    } else {
        try directory.apply(changes)
    }
} catch {
    fail("cannot update \(options.outputDirectory): \(error.localizedDescription)")
}
