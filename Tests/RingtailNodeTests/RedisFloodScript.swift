/// A Python client that pipelines GETs of large values without reading their replies for a
/// while, then reads every reply and checks it: arguments are the Redis port, the node's PID
/// and how many GETs to send. Prints "ok" and the node's resident-memory growth in MiB while
/// nothing was read ("growth N").
enum RedisFloodScript {
    static let source = FloodScript.prelude + """
        port, pid, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
        values = [bytes([65 + i]) * 65536 for i in range(8)]
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        for i, v in enumerate(values):
            s.sendall(b"*3\\r\\n$3\\r\\nSET\\r\\n$4\\r\\nbig%d\\r\\n$65536\\r\\n" % i + v + b"\\r\\n")
        replies = s.makefile("rb", buffering=1 << 20)
        for i in range(8):
            line = replies.readline()
            assert line == b"+OK\\r\\n", line
        def send():
            for k in range(count // 100):
                s.sendall(b"".join(b"*2\\r\\n$3\\r\\nGET\\r\\n$4\\r\\nbig%d\\r\\n" % ((k * 100 + j) % 8) for j in range(100)))
        sender, growth = flood_growth(pid, send)
        for n in range(count):
            header = replies.readline()
            assert header == b"$65536\\r\\n", (n, header[:120])
            body = replies.read(65538)
            assert body == values[n % 8] + b"\\r\\n", (n, "wanted", chr(65 + n % 8), "got", body[:3])
        sender.join()
        print("ok growth", growth >> 20)
        """

    /// A Python client that pipelines GETs of a 64 KiB value with QUIT at the end of the same
    /// write (and a GET after it), then, on a new connection, with a protocol error at the end;
    /// between the two, connections that flood and close without reading. Whatever the pause
    /// left unparsed must still end the connection as it would have: every reply, then +OK or
    /// the protocol error, then the close; the node stays up. Arguments: the Redis port and the
    /// number of GETs. Prints "ok".
    static let endsSource = """
        import socket, sys, time
        port, count = int(sys.argv[1]), int(sys.argv[2])
        value = b"v" * 65536
        get = b"*2\\r\\n$3\\r\\nGET\\r\\n$3\\r\\nbig\\r\\n"
        def replies(f):
            for n in range(count):
                header = f.readline()
                assert header == b"$65536\\r\\n", (n, header[:200])
                assert f.read(65538) == value + b"\\r\\n", n
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(b"*3\\r\\n$3\\r\\nSET\\r\\n$3\\r\\nbig\\r\\n$65536\\r\\n" + value + b"\\r\\n")
        f = s.makefile("rb", buffering=1 << 20)
        assert f.readline() == b"+OK\\r\\n"
        s.sendall(get * count + b"*1\\r\\n$4\\r\\nQUIT\\r\\n" + get)
        time.sleep(0.5)
        replies(f)
        quit = f.readline()
        assert quit == b"+OK\\r\\n", quit[:60]
        rest = f.read()
        assert rest == b"", ("answered after QUIT", rest[:60])
        for _ in range(3):
            c = socket.create_connection(("127.0.0.1", port), timeout=30)
            c.sendall(get * count)
            time.sleep(0.2)
            c.close()
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        f = s.makefile("rb", buffering=1 << 20)
        s.sendall(get * count + b"*2\\r\\n$x\\r\\n")
        time.sleep(0.5)
        replies(f)
        error = f.readline()
        assert error.startswith(b"-ERR Protocol error"), error[:80]
        assert f.read() == b""
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"*1\\r\\n$4\\r\\nPING\\r\\n")
        assert s.recv(100) == b"+PONG\\r\\n"
        print("ok")
        """
}
