/// Memory amounts as Redis's configuration reads them: digits, then an optional unit that
/// ignores case — `b`, `k` (1,000), `kb` (1,024), `m`, `mb`, `g`, `gb` — so `100mb` is
/// 104,857,600 bytes and `1g` is 1,000,000,000.
enum RedisMemoryValue {
    /// The bytes `text` names, or nil when it is not a memory value or does not fit an `Int`.
    static func parse(_ text: String) -> Int? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int(digits) else { return nil }
        let multiplier: Int
        switch text.dropFirst(digits.count).lowercased() {
        case "", "b": multiplier = 1
        case "k": multiplier = 1000
        case "kb": multiplier = 1024
        case "m": multiplier = 1000 * 1000
        case "mb": multiplier = 1024 * 1024
        case "g": multiplier = 1000 * 1000 * 1000
        case "gb": multiplier = 1024 * 1024 * 1024
        default: return nil
        }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }
}
