import NIOCore
import Synchronization

/// One value per event loop, made on first use: state that only that loop's thread touches on
/// the hot path, so it needs no lock there.
final class PerEventLoop<Value: Sendable>: Sendable {
    private let values = Mutex<[ObjectIdentifier: Value]>([:])
    private let make: @Sendable (any EventLoop) -> Value

    init(_ make: @escaping @Sendable (any EventLoop) -> Value) {
        self.make = make
    }

    /// The value of `eventLoop`; look it up once per connection, not per request.
    func value(for eventLoop: any EventLoop) -> Value {
        values.withLock { values in
            let id = ObjectIdentifier(eventLoop)
            if let value = values[id] { return value }
            let value = make(eventLoop)
            values[id] = value
            return value
        }
    }

    /// Every value made so far.
    var all: [Value] {
        values.withLock { Array($0.values) }
    }
}
