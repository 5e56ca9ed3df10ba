import NIOCore
import RingtailWire
import Testing

@Suite struct ReplicaReadBatchTests {
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
}
