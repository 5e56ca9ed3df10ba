import RingtailModel

/// Liveness evidence from traffic other than the protocol's own (replica replies, requests
/// from a peer): a node busy serving requests answers them, yet its ack may sit behind them
/// long enough to miss the ping timeout. Counting that traffic keeps such a node alive.
extension SWIMInstance {
    /// Records that a frame from the member at `address` arrived at `atMillis`. When a probe of
    /// that member is in flight and the frame arrived after the probe started, the probe
    /// succeeds as if acked: the member answered something after it was pinged. Older evidence
    /// only refreshes when it was last heard from; it cannot answer a probe sent after it.
    public mutating func heardTraffic(from address: String, atMillis: UInt64) {
        guard let index = list.index(atAddress: address) else { return }
        if atMillis > list[index].member.lastHeardMillis {
            list[index].member.lastHeardMillis = atMillis
        }
        guard let current = probe, current.address == address, atMillis >= current.startedMillis else { return }
        probe = nil
        statistics.probesAnsweredByTraffic += 1
    }
}
