import NIOCore

extension RESPConnection {
    func flushAtEndOfTurn() {
        guard !flushScheduled, transport != nil else { return }
        flushScheduled = true
        turnFlusher.enqueue(self)
    }

    /// Writes the replies gathered so far when they are many; false when parsing must pause
    /// because the socket cannot take them or too many replies are owed.
    func mayParseOn() -> Bool {
        guard transport != nil else { return false }
        if output.readableBytes >= Self.pauseOutputBytes { writeOutput() }
        return backPressure.mayParseOn(canTakeMore: canTakeMore)
    }

    func flushOutput() {
        writeOutput()
        resumeReadingIfPossible()
    }

    func writeOutput() {
        guard let transport else { return }
        let done = closing && queue.isEmpty
        if output.readableBytes > 0 {
            stats.countOutput(output.readableBytes)
            // The bytes are marked as taken before the write: a write can fire events that
            // come back here (a writability change resuming a paused read), and what they
            // write must follow these bytes, not send them a second time.
            let bytes = output.readSlice(length: output.readableBytes)!
            if done { closeScheduled = true }
            transport.write(bytes, thenClose: done)
            // Reused when the write completed at once (the usual case); copied on write otherwise.
            if output.readableBytes > 0 {
                // Written from within the write: goes with the next one.
            } else if output.capacity > Self.keptOutputCapacity {
                output = transport.allocator.buffer(capacity: 1024)
            } else {
                output.clear()
            }
        } else if done, !closeScheduled {
            // Replies written earlier may still wait for the socket (a client reading slowly):
            // an empty write completes after them, and only then is the connection closed.
            closeScheduled = true
            transport.write(transport.allocator.buffer(capacity: 0), thenClose: true)
        }
    }

    func resumeReadingIfPossible() {
        guard let transport else { return }
        switch backPressure.resume(canTakeMore: canTakeMore) {
        case .nothing:
            break
        case .read:
            transport.resumeReading()
        case .scheduleParsing:
            transport.eventLoop.assumeIsolatedUnsafeUnchecked().execute { self.resumeParsingWhenAllowed() }
        }
    }

    private func resumeParsingWhenAllowed() {
        guard backPressure.resumeTaskRuns(canTakeMore: canTakeMore) else { return }
        parseWhatWaited()
        if backPressure.parsedWhatWaited() { transport?.resumeReading() }
    }

    /// Parses what a paused read left (it may pause again).
    private func parseWhatWaited() {
        guard var pending = cumulation, !closing else { return }
        cumulation = nil
        inRead = true
        process(&pending)
        inRead = false
        if pending.readableBytes > 0 { cumulation = pending }
        reportCommands()
        if output.readableBytes > 0 || closing { flushAtEndOfTurn() }
    }
}
