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
        guard let transport else { return false }
        if output.readableBytes >= Self.pauseOutputBytes { writeOutput() }
        guard queue.count >= Self.maxQueuedReplies || !transport.isWritable else { return true }
        parsingPaused = true
        readHeld = true
        return false
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
        guard readHeld, let transport, queue.count < Self.maxQueuedReplies, transport.isWritable else { return }
        if parsingPaused {
            // Parsed again from a task of its own, at the top of the loop: never inside a
            // write, whose writability event would otherwise run commands and write their
            // replies while the write is still under way, nor inside another connection's
            // callback (a replica's answer completing a reply).
            guard !resumeScheduled else { return }
            resumeScheduled = true
            transport.eventLoop.assumeIsolatedUnsafeUnchecked().execute { self.resumeParsingWhenAllowed() }
            return
        }
        readHeld = false
        transport.resumeReading()
    }

    private func resumeParsingWhenAllowed() {
        resumeScheduled = false
        // What allowed it may have changed since; the next flush or writability change retries.
        guard parsingPaused, let transport, queue.count < Self.maxQueuedReplies, transport.isWritable else { return }
        parsingPaused = false
        guard resumeParsing() else { return }
        readHeld = false
        transport.resumeReading()
    }

    /// Parses what a paused read left; false if it paused again.
    private func resumeParsing() -> Bool {
        guard var pending = cumulation, !closing else { return true }
        cumulation = nil
        inRead = true
        process(&pending)
        inRead = false
        if pending.readableBytes > 0 { cumulation = pending }
        reportCommands()
        if output.readableBytes > 0 || closing { flushAtEndOfTurn() }
        return !parsingPaused
    }
}
