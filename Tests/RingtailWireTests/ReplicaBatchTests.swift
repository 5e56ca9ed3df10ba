import NIOCore
import RingtailWire
import Testing

@Suite struct ReplicaBatchTests {
    @Test func answerBodiesAreEachAnswersOwnEncoding() throws {
        let response = ReplicaReadBatchResponse(answers: WireSamples.batchAnswers)
        let bodies = try ReplicaReadBatchResponse.answerBodies(in: response.encoded())
        #expect(bodies.count == WireSamples.batchAnswers.count)
        for (body, answer) in zip(bodies, WireSamples.batchAnswers) {
            #expect(body == answer.encoded())
            var copy = body
            #expect(try ReplicaReadResponse(decoding: &copy) == answer)
        }
        #expect(try ReplicaReadBatchResponse.answerBodies(in: ReplicaReadBatchResponse().encoded()).isEmpty)
    }

    @Test func aTruncatedAnswerIsAnError() {
        var body = ReplicaReadBatchResponse(answers: WireSamples.batchAnswers).encoded()
        body.moveWriterIndex(to: body.writerIndex - 1)
        #expect(throws: WireDecodingError.self) { try ReplicaReadBatchResponse.answerBodies(in: body) }
    }

    @Test func outcomeFramesAreEachWritesOwnAnswer() throws {
        let body = ReplicaWriteBatchResponse(outcomes: WireSamples.batchOutcomes).encoded()
        let frames = try ReplicaWriteBatchResponse.outcomeFrames(in: body, requestID: 9)
        #expect(frames.count == 3)
        #expect(frames[0] == Frame(messageTypeRaw: MessageType.replicaWriteResponse.rawValue, requestID: 9, body: WireSamples.batchOutcomes[0].response!.encoded()))
        #expect(frames[1] == Frame(messageTypeRaw: MessageType.errorResponse.rawValue, requestID: 9, body: WireSamples.batchOutcomes[1].error!.encoded()))
        #expect(frames[2] == nil)
    }

    @Test func aWriteBatchFrameFromEncodedWritesIsTheBatchMessage() throws {
        var direct = ByteBuffer()
        direct.writeReplicaWriteBatchFrame(WireSamples.batchWrites.map { $0.encoded() }, requestID: 42)
        var generated = ByteBuffer()
        generated.writeFrame(ReplicaWriteBatchRequest(writes: WireSamples.batchWrites), requestID: 42)
        #expect(direct == generated)
    }
}
