/// Heap storage for an optional message field that (through other messages) contains its own message type.
///
/// A Swift struct cannot hold itself inline, not even inside an `Optional`; generated code keeps such fields
/// in this box and exposes them through a computed property. The box is immutable, so copies stay values.
enum WireIndirect<Wrapped: WireMessage>: Sendable, Equatable {
    indirect case boxed(Wrapped)

    init(_ value: Wrapped) {
        self = .boxed(value)
    }

    var value: Wrapped {
        switch self {
        case .boxed(let value): value
        }
    }
}
