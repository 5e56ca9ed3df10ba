/// The byte model behind budgets and the measurements: payload bytes as the wire codec would
/// frame them, without per-message headers.
public enum WireCost {
    /// One digest in a node reply.
    public static let digestBytes = MerkleDigest.byteCount
    /// One node index in a request.
    public static let nodeIndexBytes = 4
    /// Version (8 + 4), kind (1), expiry (8), value size (4), key length (2).
    public static let entryOverheadBytes = 27

    /// A node request and its reply. A request below the root always asks for whole sibling
    /// groups, so it names their parents: one index per `fanOut` digests.
    public static func nodeBytes(_ request: NodeRequest, layout: MerkleLayout) -> Int {
        let named = request.level == 0 ? request.indices.count : request.indices.count / layout.fanOut
        return named * nodeIndexBytes + request.indices.count * digestBytes
    }

    /// One line of a bucket list.
    public static func listBytes(_ entry: BucketEntry) -> Int { entryOverheadBytes + entry.key.count }

    /// One key moved between replicas: its line, plus the value if it carries one.
    public static func transferBytes(_ entry: BucketEntry, carriesValue: Bool) -> Int {
        listBytes(entry) + (carriesValue ? entry.valueByteCount : 0)
    }
}
