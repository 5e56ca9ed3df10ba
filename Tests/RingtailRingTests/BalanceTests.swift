#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RingtailModel
import RingtailRing
import Testing

/// Balance of partition replicas across nodes. Placement is deterministic, so these are exact
/// properties of the named clusters, asserted as such, and the figures are printed for
/// docs/RING.md.
@Suite struct BalanceTests {
    static let header = "nodes      P  vnodes | replicas max/mean  min/mean | primaries max/mean  min/mean"

    static func row(_ nodeCount: Int, _ ring: HashRing) -> String {
        let replicas = Load.replicas(ring)
        let primaries = Load.primaries(ring)
        return pad("\(nodeCount)", 5) + pad("\(ring.partitionCount)", 7)
            + pad("\(ring.configuration.virtualNodesPerWeight)", 8) + " |"
            + pad(ratio(replicas.maxOverMean), 18) + pad(ratio(replicas.minOverMean), 10) + " |"
            + pad(ratio(primaries.maxOverMean), 19) + pad(ratio(primaries.minOverMean), 10)
    }

    @Test func fullestNodeHoldsAtMostTenPercentAboveTheMean() {
        var report = ["Balance, N=3, members node-1…node-n, default configuration:", Self.header]
        for nodeCount in [3, 5, 10] {
            let ring = HashRing(members: members(nodeCount))
            report.append(Self.row(nodeCount, ring))
            #expect(Load.replicas(ring).maxOverMean <= 1.10, "\(nodeCount) nodes")
        }
        print(report.joined(separator: "\n"))
    }

    /// The same clusters with the 1024 partitions first proposed, for comparison; not asserted,
    /// because at 1024 the bound holds for these names but not for every cluster (see below).
    @Test func comparisonWithFewerPartitions() {
        var report = ["Balance, N=3, node-1…node-n, P=1024 (comparison, not the default):", Self.header]
        for nodeCount in [3, 5, 10] {
            for vnodes in [256, 512] {
                let configuration = RingConfiguration(partitionCount: 1024, virtualNodesPerWeight: vnodes)
                report.append(Self.row(nodeCount, HashRing(members: members(nodeCount), configuration: configuration)))
            }
        }
        print(report.joined(separator: "\n"))
    }

    /// Clusters per size in the survey; `scripts/ring-balance.sh` raises it through
    /// `RINGTAIL_RING_SURVEY_CLUSTERS` for a longer run.
    static let surveyClusters: Int = {
        guard let text = getenv("RINGTAIL_RING_SURVEY_CLUSTERS"), let count = Int(String(cString: text)), count > 0
        else { return 50 }
        return count
    }()

    /// Balance is a property of the member names as much as of the scheme, so survey many
    /// clusters of arbitrary names: how often does the fullest node exceed the mean by 10 %?
    @Test(arguments: [1024, 4096])
    func surveyOfRandomlyNamedClusters(partitionCount: Int) {
        let clusters = Self.surveyClusters
        var report = ["Survey, N=3, \(clusters) clusters named c<k>-node-<i>, P=\(partitionCount), 512 vnodes:",
                      "nodes | replicas max/mean median    p99  worst | clusters above 10%"]
        var worstUpToTen = 0.0
        for nodeCount in [5, 10, 16] {
            var ratios: [Double] = []
            for cluster in 0..<clusters {
                let ring = HashRing(
                    members: members(nodeCount, prefix: "c\(cluster)-node-"),
                    configuration: RingConfiguration(partitionCount: partitionCount)
                )
                ratios.append(Load.replicas(ring).maxOverMean)
            }
            ratios.sort()
            if nodeCount <= 10 { worstUpToTen = max(worstUpToTen, ratios.last!) }
            report.append(pad("\(nodeCount)", 5) + " |" + pad(ratio(ratios[clusters / 2]), 24)
                + pad(ratio(ratios[clusters * 99 / 100]), 7) + pad(ratio(ratios.last!), 7) + " |"
                + pad("\(ratios.filter { $0 > 1.10 }.count)", 19))
        }
        print(report.joined(separator: "\n"))
        // The bound covers clusters of up to 10 nodes; 16 is printed to show the trend.
        if partitionCount == RingConfiguration.defaultPartitionCount {
            #expect(worstUpToTen <= 1.10)
        }
    }
}
