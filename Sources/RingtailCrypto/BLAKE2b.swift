import CSodium

/// BLAKE2b (RFC 7693) through libsodium's `crypto_generichash`.
///
/// One-shot hashing for small inputs, and an incremental hasher for streaming. Digests are
/// 16...64 bytes (default 32); an optional key of 16...64 bytes turns it into a MAC.
public struct BLAKE2b: ~Copyable {
    public static let minimumDigestBytes = Int(crypto_generichash_BYTES_MIN)
    public static let maximumDigestBytes = Int(crypto_generichash_BYTES_MAX)
    public static let defaultDigestBytes = Int(crypto_generichash_BYTES)
    public static let minimumKeyBytes = Int(crypto_generichash_KEYBYTES_MIN)
    public static let maximumKeyBytes = Int(crypto_generichash_KEYBYTES_MAX)

    /// The state is declared 64-byte aligned in C, so Swift only sees it as an opaque
    /// pointer: it is allocated here with that alignment.
    private let state: UnsafeMutableRawPointer
    private let digestBytes: Int

    /// Starts an incremental hash producing `digestBytes` bytes, keyed when `key` is non-empty.
    public init(digestBytes: Int = BLAKE2b.defaultDigestBytes, key: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) {
        self.digestBytes = digestBytes
        self.state = Self.makeState(digestBytes: digestBytes, key: key)
    }

    /// Starts an incremental keyed hash producing `digestBytes` bytes.
    public init(digestBytes: Int = BLAKE2b.defaultDigestBytes, key: [UInt8]) {
        self.digestBytes = digestBytes
        self.state = key.withUnsafeBytes { Self.makeState(digestBytes: digestBytes, key: $0) }
    }

    private static func makeState(digestBytes: Int, key: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer {
        Sodium.ensureInitialised()
        precondition((minimumDigestBytes...maximumDigestBytes).contains(digestBytes), "BLAKE2b digest size out of range")
        precondition(key.isEmpty || (minimumKeyBytes...maximumKeyBytes).contains(key.count), "BLAKE2b key size out of range")
        let state = UnsafeMutableRawPointer.allocate(byteCount: crypto_generichash_statebytes(), alignment: 64)
        let keyPointer = key.isEmpty ? nil : key.baseAddress?.assumingMemoryBound(to: UInt8.self)
        crypto_generichash_init(OpaquePointer(state), keyPointer, key.count, digestBytes)
        return state
    }

    deinit {
        state.deallocate()
    }

    /// Feeds more bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        crypto_generichash_update(OpaquePointer(state), base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
    }

    /// Feeds more bytes.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// Finishes the hash and writes the digest into `output`, which must hold `digestBytes` bytes.
    public consuming func finalize(into output: UnsafeMutableRawBufferPointer) {
        writeDigest(into: output)
    }

    /// Finishes the hash and returns the digest.
    public consuming func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: digestBytes)
        digest.withUnsafeMutableBytes { writeDigest(into: $0) }
        return digest
    }

    private func writeDigest(into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= digestBytes, "output too small for the digest")
        crypto_generichash_final(OpaquePointer(state), output.baseAddress!.assumingMemoryBound(to: UInt8.self), digestBytes)
    }

    /// The digest of `input` written into `output` (whose size is the digest size): no allocation.
    public static func hash(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer, key: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)) {
        Sodium.ensureInitialised()
        precondition((minimumDigestBytes...maximumDigestBytes).contains(output.count), "BLAKE2b digest size out of range")
        precondition(key.isEmpty || (minimumKeyBytes...maximumKeyBytes).contains(key.count), "BLAKE2b key size out of range")
        crypto_generichash(
            output.baseAddress!.assumingMemoryBound(to: UInt8.self), output.count,
            input.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(input.count),
            key.isEmpty ? nil : key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count)
    }

    /// The `digestBytes`-byte digest of `input`, keyed when `key` is non-empty.
    public static func hash(_ input: some Collection<UInt8>, digestBytes: Int = defaultDigestBytes, key: [UInt8] = []) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: digestBytes)
        let bytes = Array(input)
        bytes.withUnsafeBytes { inputBuffer in
            key.withUnsafeBytes { keyBuffer in
                digest.withUnsafeMutableBytes { hash(inputBuffer, into: $0, key: keyBuffer) }
            }
        }
        return digest
    }
}
