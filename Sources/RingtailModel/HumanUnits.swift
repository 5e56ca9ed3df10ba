/// Parsing and printing of the sizes and durations people type on command lines:
/// `256MiB`, `64k`, `1GB`, `30s`, `500ms`, `2h`.
public enum HumanUnits {
    /// Bytes from text such as `1048576`, `512KiB`, `256MiB`, `1GiB`, `64k`, `2MB`.
    /// Decimal suffixes (kB, MB, GB) are powers of 1000; binary and single-letter ones of 1024.
    public static func parseBytes(_ text: String) -> Int? {
        let (number, unit) = split(text)
        guard let value = Double(number), value >= 0 else { return nil }
        let multiplier: Double
        switch unit.lowercased() {
        case "", "b": multiplier = 1
        case "k", "kib": multiplier = 1024
        case "kb": multiplier = 1000
        case "m", "mib": multiplier = 1024 * 1024
        case "mb": multiplier = 1_000_000
        case "g", "gib": multiplier = 1024 * 1024 * 1024
        case "gb": multiplier = 1_000_000_000
        case "t", "tib": multiplier = 1024 * 1024 * 1024 * 1024
        case "tb": multiplier = 1_000_000_000_000
        default: return nil
        }
        let bytes = value * multiplier
        guard bytes < Double(Int.max) else { return nil }
        return Int(bytes)
    }

    /// Milliseconds from text such as `250ms`, `30s`, `5m`, `2h`, `1d`; a bare number is seconds.
    public static func parseMillis(_ text: String) -> UInt64? {
        let (number, unit) = split(text)
        guard let value = Double(number), value >= 0 else { return nil }
        let multiplier: Double
        switch unit.lowercased() {
        case "ms": multiplier = 1
        case "", "s": multiplier = 1000
        case "m", "min": multiplier = 60_000
        case "h": multiplier = 3_600_000
        case "d": multiplier = 86_400_000
        default: return nil
        }
        let millis = value * multiplier
        guard millis < Double(UInt64.max / 2) else { return nil }
        return UInt64(millis.rounded())
    }

    /// A byte count for people: `1.5 MiB`, `312 B`.
    public static func formatBytes(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var index = 0
        while value >= 1024, index < units.count - 1 {
            value /= 1024
            index += 1
        }
        if index == 0 { return "\(bytes) B" }
        let rounded = (value * 10).rounded() / 10
        return "\(rounded) \(units[index])"
    }

    private static func split(_ text: String) -> (Substring, Substring) {
        let trimmed = text.trimmingSpaces()
        let unitStart = trimmed.firstIndex { !($0.isNumber || $0 == ".") } ?? trimmed.endIndex
        return (trimmed[..<unitStart], trimmed[unitStart...])
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        var slice = self[...]
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return slice
    }
}
