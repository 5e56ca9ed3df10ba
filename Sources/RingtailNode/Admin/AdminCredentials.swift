import Foundation
import RingtailCrypto

/// The password check of the admin key API: the same password Redis clients AUTH with, given
/// as `Authorization: Bearer <password>` or HTTP Basic (`curl -u :password`; the user name is
/// not checked, as Redis has only its `default` user here).
enum AdminCredentials {
    static func authorize(_ header: String?, password: String) -> Bool {
        guard let given = presentedPassword(header) else { return false }
        return BLAKE2b.constantTimeEqual(Array(given.utf8), Array(password.utf8))
    }

    /// The password an Authorization header carries; nil for none or another scheme.
    static func presentedPassword(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        let credentials = parts[1].trimmingCharacters(in: .whitespaces)
        switch parts[0].lowercased() {
        case "bearer":
            return credentials
        case "basic":
            guard let decoded = Data(base64Encoded: credentials), let pair = String(data: decoded, encoding: .utf8),
                  let colon = pair.firstIndex(of: ":") else { return nil }
            return String(pair[pair.index(after: colon)...])
        default:
            return nil
        }
    }
}
