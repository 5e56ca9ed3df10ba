import NIOCore

extension ReplicaReadBatchResponse {
    /// The field number of `answers` in Proto/ringtail.proto.
    static let answersField: UInt32 = 1

    /// Each answer's encoding, in order, as the body of a `ReplicaReadResponse` frame, without
    /// decoding it: the asker hands every read of the batch its own answer as if it had come
    /// alone, and the read decodes it as before. The slices share `body`'s storage.
    public static func answerBodies(in body: ByteBuffer) throws(WireDecodingError) -> [ByteBuffer] {
        var body = body
        var answers: [ByteBuffer] = []
        while let tag = try body.readWireTag() {
            if tag.fieldNumber == answersField {
                answers.append(try body.readWireBytes(tag))
            } else {
                try body.skipWireField(tag)
            }
        }
        return answers
    }
}
