/// What the command was asked to do.
struct CommandLineOptions {
    var schemaPath: String
    var outputDirectory: String
    /// Compare only; write nothing.
    var check: Bool

    struct UsageError: Error {
        var message: String
    }

    static func parse(_ arguments: [String]) throws(UsageError) -> CommandLineOptions {
        var schemaPath: String?
        var outputDirectory: String?
        var check = false
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--output-dir":
                guard let value = remaining.popFirst() else {
                    throw UsageError(message: "--output-dir needs a directory")
                }
                outputDirectory = value
            case "--check":
                check = true
            case "-h", "--help":
                throw UsageError(message: "compiles a schema into Swift sources")
            case _ where argument.hasPrefix("-"):
                throw UsageError(message: "unknown option '\(argument)'")
            default:
                guard schemaPath == nil else {
                    throw UsageError(message: "more than one schema given")
                }
                schemaPath = argument
            }
        }
        guard let schemaPath else { throw UsageError(message: "no schema given") }
        guard let outputDirectory else { throw UsageError(message: "no --output-dir given") }
        return CommandLineOptions(schemaPath: schemaPath, outputDirectory: outputDirectory, check: check)
    }
}
