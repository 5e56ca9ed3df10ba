import CoreMetrics
import NIOCore
import NIOHTTP1
import RingtailWire

/// Request counts and latencies of the binary RPC by operation and outcome.
///
/// Every (operation, outcome) pair gets its counter and timer once, at start-up, so recording
/// a request costs an index computation, an atomic increment and a histogram observation
/// (a lock and a bucket scan in swift-prometheus), with no allocation.
public final class RequestMetrics: Sendable {
    public enum Operation: Int, CaseIterable, Sendable {
        case get, set, delete
        var label: String { ["get", "set", "delete"][rawValue] }
    }

    public enum Outcome: Int, CaseIterable, Sendable {
        case ok, miss, rejected, unavailable, error
        var label: String { ["ok", "miss", "rejected", "unavailable", "error"][rawValue] }

        /// The outcome of a failed request with `code`.
        init(_ code: ErrorCode) {
            switch code {
            case .quorumFailed, .timeout, .shuttingDown: self = .unavailable
            case .internalError, .unspecified: self = .error
            default: self = .rejected
            }
        }

        /// The outcome of an HTTP key request answered with `status`.
        init(httpStatus status: HTTPResponseStatus) {
            switch status.code {
            case 200..<300: self = .ok
            case 404: self = .miss
            case 503: self = .unavailable
            case 400..<500: self = .rejected
            default: self = .error
            }
        }
    }

    private let counters: [CoreMetrics.Counter]
    private let timers: [CoreMetrics.Timer]

    /// Made after `MetricsSystem.bootstrap`; before it (or without it) the metrics are no-ops.
    public init() {
        var counters: [CoreMetrics.Counter] = []
        var timers: [CoreMetrics.Timer] = []
        for operation in Operation.allCases {
            for outcome in Outcome.allCases {
                let dimensions = [("operation", operation.label), ("outcome", outcome.label)]
                counters.append(CoreMetrics.Counter(label: "ringtail_requests_total", dimensions: dimensions))
                timers.append(CoreMetrics.Timer(label: "ringtail_request_duration_seconds", dimensions: dimensions))
            }
        }
        self.counters = counters
        self.timers = timers
    }

    /// Records one request that started at `startNanos` (from `NIODeadline.now()`).
    public func record(_ operation: Operation, _ outcome: Outcome, startNanos: UInt64) {
        let index = operation.rawValue * Outcome.allCases.count + outcome.rawValue
        counters[index].increment()
        let now = NIODeadline.now().uptimeNanoseconds
        timers[index].recordNanoseconds(Int64(clamping: now &- startNanos))
    }

    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
}

extension RequestMetrics.Operation {
    /// The operation `message` requests; nil for messages that are not key operations.
    init?(_ message: AnyMessage) {
        switch message {
        case .getRequest: self = .get
        case .setRequest: self = .set
        case .deleteRequest: self = .delete
        default: return nil
        }
    }
}

extension RequestMetrics {
    /// Records a coordinated `operation` by its reply.
    func record(_ operation: Operation, _ result: Result<AnyMessage, any Error>, startNanos: UInt64) {
        let outcome: Outcome
        switch result {
        case .success(.getResponse(let response)): outcome = response.found ? .ok : .miss
        case .success(.deleteResponse(let response)): outcome = response.existed ? .ok : .miss
        case .success: outcome = .ok
        case .failure(let error as OperationError): outcome = Outcome(error.code)
        case .failure: outcome = .error
        }
        record(operation, outcome, startNanos: startNanos)
    }
}
