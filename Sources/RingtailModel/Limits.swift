/// Size limits shared by the wire protocol, the store and the clients.
public enum Limits {
    /// The largest key accepted anywhere, in bytes.
    public static let maxKeyBytes = 64 * 1024
    /// The default largest value, in bytes; a node can be configured higher or lower.
    public static let defaultMaxValueBytes = 1024 * 1024
    /// The default largest frame on the wire, in bytes.
    public static let defaultMaxFrameBytes = 16 * 1024 * 1024
}
