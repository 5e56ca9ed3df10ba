import RingtailModel

extension EntryVersion {
    /// The wire form of a model version.
    public init(_ version: RingtailModel.Version) {
        self.init(timestamp: version.timestamp.rawValue, node: version.node.rawValue)
    }

    /// The model version this wire value carries.
    public var modelVersion: RingtailModel.Version {
        RingtailModel.Version(timestamp: HLCTimestamp(rawValue: timestamp), node: NodeTag(rawValue: node))
    }
}
