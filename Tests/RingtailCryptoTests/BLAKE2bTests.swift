import RingtailCrypto
import Testing

/// Published BLAKE2b vectors: RFC 7693 Appendix A ("abc"), and the keyed known-answer tests
/// of the BLAKE2 reference distribution (`blake2b-kat.txt`: key = 00..3f, input = 00..n-1).
@Suite struct BLAKE2bTests {
    static let katKey = [UInt8](0..<64)

    @Test(arguments: [
        ([UInt8]("abc".utf8), [UInt8](), 64,
         "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923"),
        ([UInt8](), [UInt8](), 64,
         "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce"),
        ([UInt8](), katKey, 64,
         "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568"),
        ([UInt8](0..<255), katKey, 64,
         "142709d62e28fcccd0af97fad0f8465b971e82201dc51070faa0372aa43e92484be1c1e73ba10906d5d1853db6a4106e0a7bf9800d373d6dee2d46d62ef2a461"),
        ([UInt8]("abc".utf8), [UInt8](), 32,
         "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"),
        ([UInt8]("The quick brown fox jumps over the lazy dog".utf8), [UInt8](), 64,
         "a8add4bdddfd93e4877d2746e62817b116364a1fa7bc148d95090bc7333b3673f82401cf7aa2e4cb1ecd90296e3f14cb5413f8ed77be73045b13914cdcd6a918"),
    ] as [([UInt8], [UInt8], Int, String)])
    func oneShotMatchesPublishedVectors(input: [UInt8], key: [UInt8], digestBytes: Int, expected: String) {
        #expect(hex(BLAKE2b.hash(input, digestBytes: digestBytes, key: key)) == expected)
    }

    @Test func incrementalEqualsOneShotForEverySplit() {
        let input = [UInt8](0..<255)
        let expected = BLAKE2b.hash(input, key: Self.katKey)
        for split in stride(from: 0, through: input.count, by: 17) {
            var hasher = BLAKE2b(key: Self.katKey)
            hasher.update(input[..<split])
            hasher.update(input[split...])
            #expect(hasher.finalize() == expected)
        }
    }

    @Test func writesDigestIntoCallerBuffer() {
        var digest = [UInt8](repeating: 0, count: 32)
        [UInt8]("abc".utf8).withUnsafeBytes { input in
            digest.withUnsafeMutableBytes { BLAKE2b.hash(input, into: $0) }
        }
        #expect(hex(digest) == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319")
    }

    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}
