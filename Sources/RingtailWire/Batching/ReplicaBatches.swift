import NIOCore

extension ReplicaReadBatchResponse {
    /// Each answer's encoding, in order, as the body of a `ReplicaReadResponse` frame, without
    /// decoding it: the asker hands every read of the batch its own answer as if it had come
    /// alone, and the read decodes it as before. The slices share `body`'s storage.
    public static func answerBodies(in body: ByteBuffer) throws(WireDecodingError) -> [ByteBuffer] {
        try body.wireFieldSlices(1)
    }
}

extension ReplicaWriteBatchRequest {
    /// Appends one write, already encoded as a `ReplicaWriteRequest` body, to a batch's body: the
    /// coordinator encodes a replica write once for all its owners, and batches reuse those bytes.
    static func appendWrite(encoded write: ByteBuffer, to body: inout ByteBuffer) {
        body.writeWireBytes(write, field: 1)
    }
}

extension ReplicaWriteBatchResponse {
    /// Each outcome, in order, as the frame its write would have had alone: the body of a
    /// `ReplicaWriteResponse` or of an `ErrorResponse`. Nil for an outcome with neither.
    public static func outcomeFrames(in body: ByteBuffer, requestID: UInt32) throws(WireDecodingError) -> [Frame?] {
        var body = body
        var frames: [Frame?] = []
        while let tag = try body.readWireTag() {
            guard tag.fieldNumber == 1 else {
                try body.skipWireField(tag)
                continue
            }
            var outcome = try body.readWireBytes(tag)
            var frame: Frame?
            while let field = try outcome.readWireTag() {
                switch field.fieldNumber {
                case 1: frame = Frame(messageTypeRaw: MessageType.replicaWriteResponse.rawValue, requestID: requestID, body: try outcome.readWireBytes(field))
                case 2: frame = Frame(messageTypeRaw: MessageType.errorResponse.rawValue, requestID: requestID, body: try outcome.readWireBytes(field))
                default: try outcome.skipWireField(field)
                }
            }
            frames.append(frame)
        }
        return frames
    }
}

extension ByteBuffer {
    /// The bytes of every length-delimited field `number` of this message body, in order, as
    /// slices sharing its storage: a batch's parts handed on as the messages they are, not
    /// decoded and encoded again.
    func wireFieldSlices(_ number: UInt32) throws(WireDecodingError) -> [ByteBuffer] {
        var body = self
        var slices: [ByteBuffer] = []
        while let tag = try body.readWireTag() {
            if tag.fieldNumber == number {
                slices.append(try body.readWireBytes(tag))
            } else {
                try body.skipWireField(tag)
            }
        }
        return slices
    }
}

extension ByteBuffer {
    /// Appends a complete `ReplicaWriteBatchRequest` frame carrying `writes`, each already
    /// encoded as a `ReplicaWriteRequest` body, copied once, straight into this buffer.
    public mutating func writeReplicaWriteBatchFrame(_ writes: [ByteBuffer], requestID: UInt32) {
        writeFrame(type: .replicaWriteBatchRequest, requestID: requestID) { body in
            for write in writes { ReplicaWriteBatchRequest.appendWrite(encoded: write, to: &body) }
        }
    }
}
