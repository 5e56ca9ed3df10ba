/// How many Redis clients the open-file limit leaves room for.
public enum RedisClientBudget {
    /// Descriptors kept for everything but Redis clients: listeners, peer and repair
    /// connections, admin requests, the binary RPC's own clients, files.
    public static let reservedFileDescriptors = 128

    /// Redis clients that fit under `limit` open files beside the reserve (at least one).
    public static func clientsFitting(openFileLimit limit: Int) -> Int {
        max(1, limit - reservedFileDescriptors)
    }
}
