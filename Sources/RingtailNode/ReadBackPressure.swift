/// When a connection stops reading and how it starts again: the back-pressure both the Redis
/// port (`RESPConnection`) and the binary RPC (`RPCServerHandler`) apply, as pure state.
///
/// A connection holds its reads while it owes too many answers or its socket cannot take more
/// output (the caller says which with `canTakeMore`). Within a read it may also stop parsing
/// (`pauseParsing`): the rest of the read then waits unparsed, and is parsed again from a task
/// of its own once the connection can take more, never from inside a write (whose writability
/// event would run commands while the write is under way) or another connection's callback.
struct ReadBackPressure {
    /// What the caller does after `resume`.
    enum Resumption: Equatable {
        case nothing
        /// Ask the transport for the next read.
        case read
        /// Queue a task that calls `resumeTaskRuns`.
        case scheduleParsing
    }

    /// Reads are held: the transport is not asked for more until `resume` says `.read`.
    private(set) var readHeld = false
    /// Requests already read wait unparsed.
    private(set) var parsingPaused = false
    /// A task to parse them again is queued.
    private var resumeScheduled = false

    /// Whether the next read may happen now; holds reads if not.
    mutating func mayRead(canTakeMore: Bool) -> Bool {
        guard parsingPaused || !canTakeMore else { return true }
        readHeld = true
        return false
    }

    /// Whether parsing may go on within the current read; pauses it (and holds reads) if not.
    mutating func mayParseOn(canTakeMore: Bool) -> Bool {
        guard !canTakeMore else { return true }
        parsingPaused = true
        readHeld = true
        return false
    }

    /// The connection may take more now (a write drained, an owed answer went out).
    mutating func resume(canTakeMore: Bool) -> Resumption {
        guard readHeld, canTakeMore else { return .nothing }
        if parsingPaused {
            guard !resumeScheduled else { return .nothing }
            resumeScheduled = true
            return .scheduleParsing
        }
        readHeld = false
        return .read
    }

    /// The task `resume` asked for runs: true if the caller should parse what waits now. What
    /// allowed it may have changed since; the next `resume` then tries again.
    mutating func resumeTaskRuns(canTakeMore: Bool) -> Bool {
        resumeScheduled = false
        guard parsingPaused, canTakeMore else { return false }
        parsingPaused = false
        return true
    }

    /// After parsing what waited: true if the caller should ask for the next read (false when
    /// parsing paused again).
    mutating func parsedWhatWaited() -> Bool {
        guard !parsingPaused else { return false }
        readHeld = false
        return true
    }
}
