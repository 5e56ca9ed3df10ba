import RingtailModel
@testable import RingtailRing


/// Members `\(prefix)1` … `\(prefix)\(count)`, all of weight 1.
func members(_ count: Int, prefix: String = "node-") -> [RingMember] {
    (1...count).map { RingMember("\(prefix)\($0)") }
}

/// Load statistics of a ring, relative to the mean over members that own tokens.
struct Load {
    let maxOverMean: Double
    let minOverMean: Double

    init(_ counts: [Int]) {
        let mean = Double(counts.reduce(0, +)) / Double(counts.count)
        maxOverMean = Double(counts.max() ?? 0) / mean
        minOverMean = Double(counts.min() ?? 0) / mean
    }

    static func replicas(_ ring: HashRing) -> Load {
        Load(ring.partitionCounts().values.map(\.replicas))
    }

    static func primaries(_ ring: HashRing) -> Load {
        Load(ring.partitionCounts().values.map(\.primary))
    }
}

/// `value` as a percentage with one decimal, e.g. `0.0937` → `"9.4%"`; no Foundation needed.
func percent(_ value: Double) -> String {
    let tenths = Int((value * 1000).rounded())
    let sign = tenths < 0 ? "-" : ""
    return "\(sign)\(abs(tenths) / 10).\(abs(tenths) % 10)%"
}

/// `value` with three decimals, e.g. `1.0581` → `"1.058"`.
func ratio(_ value: Double) -> String {
    let thousandths = Int((value * 1000).rounded())
    let fraction = String(thousandths % 1000)
    return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

/// Pads `text` on the left to `width` characters, for printed tables.
func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: max(0, width - text.count)) + text
}

