/// Accumulates indented Swift source, four spaces a level, with `\n` line endings whatever the platform.
struct CodeWriter {
    private(set) var text = ""
    private var indentation = 0

    init(header: String) {
        line(header)
    }

    mutating func line(_ content: String = "") {
        if content.isEmpty {
            text += "\n"
        } else {
            text += String(repeating: "    ", count: indentation) + content + "\n"
        }
    }

    /// Writes `opening`, the body one level deeper, then `closing`.
    mutating func block(_ opening: String, closing: String = "}", _ body: (inout CodeWriter) -> Void) {
        line(opening)
        indentation += 1
        body(&self)
        indentation -= 1
        line(closing)
    }

    /// Writes `switch subject {`, the cases at the same depth as the `switch` (Swift's usual layout), and `}`.
    mutating func switchBlock(_ subject: String, _ cases: (inout CodeWriter) -> Void) {
        line("switch \(subject) {")
        cases(&self)
        line("}")
    }

    /// Writes schema comments as a `///` doc comment.
    mutating func documentation(_ lines: [String]) {
        for content in lines {
            line(content.isEmpty ? "///" : "/// \(content)")
        }
    }
}
