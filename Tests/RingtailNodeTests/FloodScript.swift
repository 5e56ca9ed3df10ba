/// What the flood scripts (a client pipelining GETs of large values without reading, on each
/// port) share: Python helpers prepended to each, and reading the growth they print.
enum FloodScript {
    /// Defines `resident(pid)` (bytes) and `flood_growth(pid, send)`: runs `send` on a thread
    /// of its own and returns it with the node's largest resident growth over 1.5 s, while the
    /// caller reads nothing.
    static let prelude = """
        import socket, struct, sys, threading, time
        def resident(pid):
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        def flood_growth(pid, send):
            before = resident(pid)
            sender = threading.Thread(target=send, daemon=True)
            sender.start()
            growth = 0
            for _ in range(15):
                time.sleep(0.1)
                growth = max(growth, resident(pid) - before)
            return sender, growth

        """

    /// The growth a script printed ("ok growth N"), in MiB.
    static func growth(in output: String) -> Int? {
        output.split(separator: "\n").first { $0.hasPrefix("ok growth ") }.flatMap { Int($0.dropFirst("ok growth ".count)) }
    }
}
