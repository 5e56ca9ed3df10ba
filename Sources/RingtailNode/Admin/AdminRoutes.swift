import NIOCore
import NIOHTTP1
import Prometheus
import RingtailModel
import RingtailWire

/// What the admin listener serves: metrics, health, cluster status and the key API.
struct AdminRoutes: Sendable {
    let node: LocalNode
    let cluster: ClusterNode?
    let gauges: NodeGauges
    let registry: PrometheusCollectorRegistry?
    /// Shared with the binary RPC: a key request counts the same whichever door it came in by.
    let requestMetrics: RequestMetrics
    /// The Redis front door's per-command histograms, rendered beside the registry's metrics.
    let redisCommands: RESPCommandStats?
    /// The node's Redis password: when set, the key API wants it too (metrics, health and the
    /// cluster view stay open for scrapers and probes).
    let password: String?

    /// Answers `method path?query` with `body`, now or later on `eventLoop`; `authorization`
    /// is the request's Authorization header.
    func respond(
        method: HTTPMethod, uri: String, authorization: String? = nil, body: ByteBuffer, on eventLoop: any EventLoop
    ) -> EventLoopFuture<AdminResponse> {
        let (path, query) = split(uri)
        switch (method, path) {
        case (.GET, "/metrics"): return eventLoop.makeSucceededFuture(metrics())
        case (.GET, "/health"): return eventLoop.makeSucceededFuture(health())
        case (.GET, "/cluster"): return eventLoop.makeSucceededFuture(clusterStatus())
        default: break
        }
        guard path.hasPrefix("/v1/keys/") else {
            return eventLoop.makeSucceededFuture(.error(.notFound, "no route for \(path)", code: "notFound"))
        }
        if let password, !AdminCredentials.authorize(authorization, password: password) {
            var refused = AdminResponse.error(
                .unauthorized, "the key API needs the node's password: Authorization: Bearer <password>, or Basic with any user",
                code: "unauthorized")
            refused.headers = [("www-authenticate", "Basic realm=\"ringtail\", charset=\"UTF-8\"")]
            return eventLoop.makeSucceededFuture(refused)
        }
        guard let key = Self.percentDecode(path.dropFirst("/v1/keys/".count)), !key.isEmpty else {
            return eventLoop.makeSucceededFuture(.error(.badRequest, "the key must be non-empty and percent-encoded", code: "invalidArgument"))
        }
        let keyBuffer = ByteBuffer(bytes: key)
        let operation: RequestMetrics.Operation
        switch method {
        case .GET: operation = .get
        case .PUT: operation = .set
        case .DELETE: operation = .delete
        default:
            return eventLoop.makeSucceededFuture(.error(.methodNotAllowed, "use GET, HEAD, PUT or DELETE on keys", code: "invalidArgument"))
        }
        let start = RequestMetrics.now()
        return keyRequest(operation, keyBuffer, query: query, body: body, on: eventLoop).map { [requestMetrics] response in
            requestMetrics.record(operation, RequestMetrics.Outcome(httpStatus: response.status), startNanos: start)
            return response
        }
    }

    private func keyRequest(
        _ operation: RequestMetrics.Operation, _ keyBuffer: ByteBuffer, query: [String: String], body: ByteBuffer, on eventLoop: any EventLoop
    ) -> EventLoopFuture<AdminResponse> {
        switch operation {
        case .get: return get(keyBuffer, on: eventLoop)
        case .set:
            var ttl: UInt64?
            if let text = query["ttl"] {
                guard let millis = HumanUnits.parseMillis(text), millis > 0 else {
                    return eventLoop.makeSucceededFuture(
                        .error(.badRequest, "ttl must be a positive duration such as 30s (omit it for no expiry), got '\(text)'", code: "invalidArgument"))
                }
                ttl = millis
            }
            return put(keyBuffer, value: body, ttlMillis: ttl, on: eventLoop)
        case .delete: return delete(keyBuffer, on: eventLoop)
        }
    }

    private var coordinator: Coordinator? {
        guard let coordinator = cluster?.coordinator, !coordinator.isSolo else { return nil }
        return coordinator
    }

    private func get(_ key: ByteBuffer, on eventLoop: any EventLoop) -> EventLoopFuture<AdminResponse> {
        let reply: EventLoopFuture<GetResponse>
        if let coordinator {
            do { try node.checkKey(key) } catch { return eventLoop.makeSucceededFuture(.error(error)) }
            reply = coordinator.read(key, readQuorum: nil, on: eventLoop)
        } else {
            reply = eventLoop.makeCompletedFuture { try node.get(key) }
        }
        return reply.map { response -> AdminResponse in
            guard response.found else { return .error(.notFound, "key not found", code: "notFound") }
            return AdminResponse(status: .ok, contentType: "application/octet-stream", body: response.value)
        }.recover { .error($0) }
    }

    private func put(_ key: ByteBuffer, value: ByteBuffer, ttlMillis: UInt64?, on eventLoop: any EventLoop) -> EventLoopFuture<AdminResponse> {
        let version: EventLoopFuture<String>
        if let coordinator {
            do {
                let entry = try node.storedEntry(key: key, value: value, ttlMillis: ttlMillis)
                version = coordinator.write(entry, writeQuorum: nil, on: eventLoop).map { "\($0.version)" }
            } catch {
                return eventLoop.makeSucceededFuture(.error(error))
            }
        } else {
            version = eventLoop.makeCompletedFuture { "\(try node.set(key, value: value, ttlMillis: ttlMillis).version.modelVersion)" }
        }
        return version.map { .json(.created, JSON.object([("stored", "true"), ("version", JSON.string($0))])) }.recover { .error($0) }
    }

    private func delete(_ key: ByteBuffer, on eventLoop: any EventLoop) -> EventLoopFuture<AdminResponse> {
        let existed: EventLoopFuture<Bool>
        if let coordinator {
            do { try node.checkKey(key) } catch { return eventLoop.makeSucceededFuture(.error(error)) }
            existed = coordinator.write(StoredEntry(key: key, state: .tombstone), writeQuorum: nil, on: eventLoop).map(\.replacedLiveValue)
        } else {
            existed = eventLoop.makeCompletedFuture { try node.delete(key).existed }
        }
        return existed.map { existed -> AdminResponse in
            existed ? AdminResponse(status: .noContent, contentType: "application/json", body: ByteBuffer())
                : .error(.notFound, "key not found", code: "notFound")
        }.recover { .error($0) }
    }

    private func split(_ uri: String) -> (Substring, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri[...], [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = Self.percentDecode(parts[0]).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let value = parts.count > 1 ? Self.percentDecode(parts[1]).map { String(decoding: $0, as: UTF8.self) } ?? "" : ""
            query[name] = value
        }
        return (uri[..<mark], query)
    }

    /// The bytes of percent-encoded `text`; nil for a malformed escape.
    static func percentDecode(_ text: Substring) -> [UInt8]? {
        var out: [UInt8] = []
        var bytes = text.utf8.makeIterator()
        while let byte = bytes.next() {
            guard byte == UInt8(ascii: "%") else { out.append(byte); continue }
            guard let high = bytes.next().flatMap(hexValue), let low = bytes.next().flatMap(hexValue) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
