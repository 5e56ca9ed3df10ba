import Logging
import NIOCore
import RingtailRESP

extension RESPConnection {
    /// Parses and runs every complete request in `buffer`.
    func process(_ buffer: inout ByteBuffer) {
        // The parser works on a local copy, swapped in and out once per read: a class
        // property mutated per step would cost a dynamic exclusivity check every time, and a
        // plain copy would share (and so reallocate) its reused argument array.
        var parser = RESPParser(limits: server.parserLimits)
        swap(&parser, &self.parser)
        defer {
            parser.releaseArguments()
            swap(&parser, &self.parser)
        }
        var commands = 0
        defer { commandsSinceReport += commands }
        // One clock reading per command: each one's time starts where the previous one's ended.
        var started = RESPSession.nowNanos()
        lastReadNanos = started
        while true {
            do {
                switch try parser.parseStep(&buffer) {
                case .command(let command):
                    commands += 1
                    guard run(command, started: &started) else { return }
                    if output.readableBytes >= Self.pauseOutputBytes || queue.count >= Self.maxQueuedReplies {
                        guard mayParseOn() else { return }
                    }
                case .continueParsing: continue
                case .insufficientData: return
                }
            } catch {
                // The stream cannot be trusted any more: answer, then close, as Redis does.
                server.counters.protocolErrors.add(1, ordering: .relaxed)
                logger.debug("redis protocol error", metadata: ["error": "\(error)", "peer": "\(transport?.peerDescription ?? "?")"])
                writeSynchronously { $0.writeRESPError(error.redisError) }
                server.counters.errorStats.record(message: error.redisError)
                closing = true
                buffer.moveReaderIndex(to: buffer.writerIndex)
                return
            }
        }
    }

    /// Runs one command that began at `started` (a `nowNanos()` reading), which a synchronous
    /// reply moves to when it is written; false once the connection takes no more.
    private func run(_ command: RESPCommand, started: inout UInt64) -> Bool {
        guard let transport else { return false }
        let eventLoop = transport.eventLoop
        let resolved = RESPCommandTable.lookup(command.name)
        if let kind = resolved?.kind { lastCommand = kind.rawValue &+ 1 }
        var replied = RESPCommandOutcome.ok
        // `self.` rather than local copies inside the closure: the copies cost a retain and a
        // release per command (scripts/arc-per-request.sh).
        let outcome = writeSynchronously { buffer in
            let replyStart = buffer.writerIndex
            let outcome = self.session.execute(command, resolved: resolved, into: &buffer, on: eventLoop)
            if buffer.writerIndex > replyStart {
                replied = RESPCommandOutcome(reply: buffer, at: replyStart)
                if replied == .error || replied == .unavailable { self.server.counters.errorStats.record(reply: buffer, at: replyStart) }
            }
            return outcome
        }
        let began = started
        switch outcome {
        case .replied, .close:
            let now = RESPSession.nowNanos()
            started = now
            let elapsed = now &- began
            // Unknown commands have no row of their own (Redis counts them nowhere either).
            if let kind = resolved?.kind { stats.record(kind, replied, nanos: elapsed) }
            if elapsed >= server.slowThresholdNanos.load(ordering: .relaxed), Self.mayLog(resolved?.kind) {
                logSlow(SlowLog.summarize(command.arguments), nanos: elapsed)
            }
            guard case .replied = outcome else {
                closing = true
                return false
            }
            return true
        case .deferred(let reply, let version):
            let counters = server.counters
            let sequence = queue.reserve()
            let allocator = transport.allocator
            let stats = self.stats
            let kind = resolved?.kind
            // The parser reuses its argument array: a slow log keeps the name and first key,
            // captured now (slices of the read buffer, which the coordinator holds anyway).
            let logsSlow = server.slowThresholdNanos.load(ordering: .relaxed) != .max
            let slowName = logsSlow ? command.name : nil
            let slowKey = logsSlow && command.count > 1 ? command[1] : nil
            let wordCount = command.count
            counters.inFlight.add(1, ordering: .relaxed)
            reply.whenComplete(on: eventLoop) { result in
                counters.inFlight.subtract(1, ordering: .relaxed)
                let elapsed = RESPSession.nowNanos() &- began
                if let kind { stats.record(kind, RESPCommandOutcome(result), nanos: elapsed) }
                if let slowName, elapsed >= self.server.slowThresholdNanos.load(ordering: .relaxed) {
                    self.logSlow(SlowLog.summarize([slowName] + (slowKey.map { [$0] } ?? []), totalCount: wordCount), nanos: elapsed)
                }
                self.queue.fill(sequence, into: &self.output, allocator: allocator) { bytes in
                    switch result {
                    case .success(let value):
                        if case .error(let message) = value { counters.errorStats.record(message: message) }
                        bytes.writeRESPValue(value, version)
                    case .failure(let error):
                        let message = RESPErrors.from(error)
                        counters.errorStats.record(message: message)
                        bytes.writeRESPError(message)
                    }
                }
                // Inside a read the flush comes with readCompleted. Outside one, one flush at
                // the end of this loop turn carries every reply completed in it (a pipelined
                // batch whose replica answers arrive together), instead of a write each; the
                // last reply owed by a connection alone on its loop goes at once.
                if !self.inRead {
                    if self.queue.isEmpty && self.turnFlusher.isAlone { self.flushOutput() } else { self.flushAtEndOfTurn() }
                }
            }
            return true
        }
    }

    /// AUTH and HELLO may carry a password: never logged.
    private static func mayLog(_ kind: RESPCommandKind?) -> Bool {
        kind != .auth && kind != .hello
    }

    private func logSlow(_ arguments: [[UInt8]], nanos: UInt64) {
        let address = session.record?.address ?? transport?.peerDescription ?? ""
        let name = session.name.map { String(buffer: $0) } ?? ""
        let unixSeconds = Int64(server.node.wallClock.nowMillis() / 1000)
        server.slowLog.withLock {
            $0.record(unixSeconds: unixSeconds, micros: Int64(nanos / 1000), arguments: arguments, clientAddress: address, clientName: name)
        }
    }

    /// Runs `body` on the buffer where a reply written now belongs.
    func writeSynchronously<R>(_ body: (inout ByteBuffer) -> R) -> R {
        if queue.isEmpty { return body(&output) }
        return queue.withReadyTail(allocator: transport?.allocator ?? ByteBufferAllocator(), body)
    }
}
