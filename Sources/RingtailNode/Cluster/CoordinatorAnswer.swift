import NIOCore

/// Where a coordinated operation's answer goes: a promise, or a callback run on its event
/// loop. The Redis front door takes the callback: a promise and a mapped future per GET or
/// SET were a measurable share of the coordinator's work (docs/BENCHMARKS.md).
enum CoordinatorAnswer<Value: Sendable>: Sendable {
    case promise(EventLoopPromise<Value>)
    case callback(any EventLoop, @Sendable (Result<Value, any Error>) -> Void)

    /// The event loop the answer is delivered on.
    var eventLoop: any EventLoop {
        switch self {
        case .promise(let promise): promise.futureResult.eventLoop
        case .callback(let eventLoop, _): eventLoop
        }
    }

    /// Runs `start` with a promise's answer and returns its future: the future-returning
    /// entry points of the coordinator.
    static func future(on eventLoop: any EventLoop, _ start: (Self) -> Void) -> EventLoopFuture<Value> {
        let promise = eventLoop.makePromise(of: Value.self)
        start(.promise(promise))
        return promise.futureResult
    }

    func complete(_ result: Result<Value, some Error>) {
        let result = result.mapError { $0 as any Error }
        switch self {
        case .promise(let promise):
            promise.completeWith(result)
        case .callback(let eventLoop, let body):
            // Replica answers arrive on their connections' event loops.
            if eventLoop.inEventLoop {
                body(result)
            } else {
                eventLoop.execute { body(result) }
            }
        }
    }
}
