import NIOCore
import RingtailWire

extension RingtailClient {
    /// The node's anti-entropy progress.
    public func repairStatus() async throws -> RepairStatusResponse {
        try await request(.repairStatusRequest(RepairStatusRequest()), expecting: RepairStatusResponse.self)
    }

    /// Pauses (`true`) or resumes (`false`) the node's anti-entropy loop; returns its status.
    public func setRepairPaused(_ pause: Bool) async throws -> RepairStatusResponse {
        try await request(.repairStatusRequest(RepairStatusRequest(pause: pause)), expecting: RepairStatusResponse.self)
    }

    /// The node's Merkle-tree summary of one partition (root digest and counts).
    public func treeSummary(partition: Int) async throws -> TreeSummaryResponse {
        try await request(.treeSummaryRequest(TreeSummaryRequest(partition: UInt32(partition))), expecting: TreeSummaryResponse.self)
    }
}
