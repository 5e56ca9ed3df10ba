/// A Python client that pipelines GETs of large values without reading their replies for a
/// while, then reads every reply and checks it: arguments are the Redis port, the node's PID
/// and how many GETs to send. Prints "ok" and the node's resident-memory growth in MiB while
/// nothing was read ("growth N").
enum RedisFloodScript {
    static let source = """
        import socket, sys, threading, time
        port, pid, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
        def resident():
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        values = [bytes([65 + i]) * 65536 for i in range(8)]
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        for i, v in enumerate(values):
            s.sendall(b"*3\\r\\n$3\\r\\nSET\\r\\n$4\\r\\nbig%d\\r\\n$65536\\r\\n" % i + v + b"\\r\\n")
        replies = s.makefile("rb", buffering=1 << 20)
        for i in range(8):
            line = replies.readline()
            assert line == b"+OK\\r\\n", line
        before = resident()
        def send():
            for k in range(count // 100):
                s.sendall(b"".join(b"*2\\r\\n$3\\r\\nGET\\r\\n$4\\r\\nbig%d\\r\\n" % ((k * 100 + j) % 8) for j in range(100)))
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        growth = 0
        for _ in range(15):
            time.sleep(0.1)
            growth = max(growth, resident() - before)
        for n in range(count):
            header = replies.readline()
            assert header == b"$65536\\r\\n", (n, header[:120])
            body = replies.read(65538)
            assert body == values[n % 8] + b"\\r\\n", (n, "wanted", chr(65 + n % 8), "got", body[:3])
        sender.join()
        print("ok growth", growth >> 20)
        """

    /// The growth the script printed, in MiB.
    static func growth(in output: String) -> Int? {
        output.split(separator: "\n").first { $0.hasPrefix("ok growth ") }.flatMap { Int($0.dropFirst("ok growth ".count)) }
    }
}
