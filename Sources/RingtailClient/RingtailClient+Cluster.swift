import NIOCore
import RingtailWire

extension RingtailClient {
    /// The cluster as the node sees it: members, quorum settings, hint and repair counters.
    public func clusterStatus() async throws -> ClusterStatusResponse {
        try await request(.clusterStatusRequest(ClusterStatusRequest()), expecting: ClusterStatusResponse.self)
    }

    /// Partition placement: every partition, or only the one holding `key`.
    public func ring(key: (some Collection<UInt8>)? = [UInt8]?.none) async throws -> RingResponse {
        let request = RingRequest(key: key.map { ByteBuffer(bytes: $0) })
        return try await self.request(.ringRequest(request), expecting: RingResponse.self)
    }
}
