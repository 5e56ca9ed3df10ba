import ArgumentParser

@main
struct Cachectl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cachectl",
        abstract: "Talk to a Ringtail cache.",
        discussion: """
            Exit status: 0 success, 1 key not found, 2 cannot reach the node, 3 the node \
            answered with an error, 4 the output could not be written (e.g. a full disk), \
            64 bad usage.
            """,
        subcommands: [
            GetCommand.self, SetCommand.self, DeleteCommand.self, FlushCommand.self, StatsCommand.self, PingCommand.self,
            ClusterCommand.self, RingCommand.self, RepairCommand.self, DigestCommand.self,
            FillCommand.self, VerifyCommand.self, BenchCommand.self,
        ]
    )

    /// Declared here too so `--host`, `--timeout` and `--json` may come before the subcommand.
    @OptionGroup var connection: ConnectionOptions
}
