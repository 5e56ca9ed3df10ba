import RingtailModel
import RingtailReplication
import Testing

/// The ledger against a deliberately naive model (one array in acceptance order, scanned on
/// every operation) under seeded random operations: same outcomes, same contents, same
/// counters. This is what guards the linked lists and the slot reuse inside the ledger.
@Suite struct HintLedgerModelTests {
    struct Model {
        let settings: HintLedgerSettings
        var hints: [Hint<Int>] = []
        var statistics: [String: Int] = [:]

        var bytes: Int { hints.map(\.bytes).reduce(0, +) }

        mutating func expire(nowMillis: UInt64) -> Int {
            let before = hints.count
            hints.removeAll { nowMillis - $0.acceptedAtMillis >= settings.maxAgeMillis }
            statistics["expired", default: 0] += before - hints.count
            return before - hints.count
        }

        mutating func add(_ hint: Hint<Int>) -> HintAddOutcome {
            _ = expire(nowMillis: hint.acceptedAtMillis)
            let existing = hints.firstIndex { $0.owner == hint.owner && $0.key == hint.key }
            var outcome = HintAddOutcome.queued
            if let existing {
                guard hint.version > hints[existing].version else { return .ignored(current: hints[existing].version) }
                outcome = .replaced(previous: hints[existing].version)
            }
            guard hint.bytes <= settings.maxBytes else {
                statistics["tooLarge", default: 0] += 1
                return .tooLarge
            }
            if let existing { hints.remove(at: existing) }
            hints.append(hint)
            while hints.count > settings.maxCount || bytes > settings.maxBytes {
                hints.removeFirst()
                statistics["overCapacity", default: 0] += 1
            }
            return outcome
        }

        mutating func delivered(owner: NodeID, key: [UInt8], version: Version) -> Bool {
            guard let index = hints.firstIndex(where: { $0.owner == owner && $0.key == key && $0.version == version }) else {
                return false
            }
            hints.remove(at: index)
            return true
        }

        mutating func discard(owner: NodeID) -> Int {
            let before = hints.count
            hints.removeAll { $0.owner == owner }
            return before - hints.count
        }

        func pending(for owner: NodeID, nowMillis: UInt64) -> [Hint<Int>] {
            hints.filter { $0.owner == owner && nowMillis - $0.acceptedAtMillis < settings.maxAgeMillis }
        }
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func ledgerMatchesModel(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let settings = HintLedgerSettings(maxBytes: 400, maxCount: 12, maxAgeMillis: 2000)
        var ledger = HintLedger<Int>(settings: settings)
        var model = Model(settings: settings)
        let owners = ["p", "q", "r"].map(NodeID.init)
        var now: UInt64 = 0
        for step in 0..<3000 {
            let context = "seed \(seed) step \(step)"
            // Mostly busy, with the odd quiet spell long enough for every hint to age out.
            now += Int.random(in: 0..<60, using: &random) == 0 ? 2500 : UInt64.random(in: 0...40, using: &random)
            let owner = owners.randomElement(using: &random)!
            let key = [UInt8.random(in: 0..<8, using: &random)]
            let version = Fixtures.v(UInt64.random(in: 1...20, using: &random))
            switch Int.random(in: 0..<20, using: &random) {
            case 0..<12:
                // Now and then larger than the whole ledger.
                let size = Int.random(in: 0..<25, using: &random) == 0 ? 450 : Int.random(in: 0...130, using: &random)
                let hint = Hint(
                    owner: owner, key: key, version: version, expiresAtMillis: nil, payloadBytes: size,
                    payload: step, acceptedAtMillis: now)
                let outcome = ledger.add(
                    owner: owner, key: key, version: version, expiresAtMillis: nil, payloadBytes: hint.payloadBytes,
                    payload: step, nowMillis: now)
                #expect(outcome == model.add(hint), "\(context)")
            case 12..<17:
                // Deliver what a handoff would send, sometimes with a stale version.
                let batch = ledger.pending(for: owner, limit: 3, nowMillis: now)
                for hint in batch {
                    let sent = Bool.random(using: &random) ? hint.version : version
                    let removed = ledger.delivered(owner: hint.owner, key: hint.key, version: sent)
                    #expect(removed == model.delivered(owner: hint.owner, key: hint.key, version: sent), "\(context)")
                }
            case 17..<19:
                #expect(ledger.expire(nowMillis: now) == model.expire(nowMillis: now), "\(context)")
            default:
                #expect(ledger.discard(owner: owner) == model.discard(owner: owner), "\(context)")
            }
            #expect(ledger.count == model.hints.count, "\(context)")
            #expect(ledger.bytes == model.bytes, "\(context)")
            for owner in owners {
                #expect(ledger.pending(for: owner, limit: .max, nowMillis: now) == model.pending(for: owner, nowMillis: now),
                        "\(context) owner \(owner)")
            }
        }
        #expect(ledger.statistics.dropped(.overCapacity) == model.statistics["overCapacity", default: 0])
        #expect(ledger.statistics.dropped(.tooLarge) == model.statistics["tooLarge", default: 0])
        #expect(ledger.statistics.dropped(.expired) == model.statistics["expired", default: 0])
        #expect(ledger.statistics.dropped(.overCapacity) > 0, "bounds never reached: the test is too gentle")
        #expect(ledger.statistics.dropped(.expired) > 0, "nothing expired: the test is too gentle")
        #expect(ledger.statistics.dropped(.tooLarge) > 0, "nothing too large: the test is too gentle")
    }
}
