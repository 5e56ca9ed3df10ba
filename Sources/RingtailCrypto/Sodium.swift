import CSodium

/// One-time libsodium initialisation. `sodium_init` is itself idempotent and thread-safe;
/// the lazy global makes the call happen once per process before any primitive is used.
enum Sodium {
    static let initialised: Bool = {
        sodium_init() >= 0
    }()

    static func ensureInitialised() {
        precondition(initialised, "libsodium failed to initialise")
    }
}
