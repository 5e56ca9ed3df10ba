/// A Python client that stores a 64 KiB value through the HTTP key API, then pipelines GETs of
/// it on one keep-alive connection without reading the responses for a while, then reads and
/// checks every one. Arguments: the admin port, the node's PID and how many GETs to send.
/// Prints "ok growth N": the node's resident-memory growth in MiB while nothing was read.
enum HTTPFloodScript {
    static let source = FloodScript.prelude + """
        port, pid, count = (int(a) for a in sys.argv[1:4])
        value = b"h" * 65536
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        responses = s.makefile("rb", buffering=1 << 20)
        def response():
            status = responses.readline()
            length = None
            while True:
                header = responses.readline()
                if header == b"\\r\\n":
                    break
                if header.lower().startswith(b"content-length:"):
                    length = int(header.split(b":")[1])
            return status, responses.read(length)
        s.sendall(b"PUT /v1/keys/big HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 65536\\r\\n\\r\\n" + value)
        status, _ = response()
        assert status.startswith(b"HTTP/1.1 20"), status
        def send():
            for _ in range(count // 100):
                s.sendall(b"GET /v1/keys/big HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n" * 100)
        sender, growth = flood_growth(pid, send)
        for n in range(count):
            status, body = response()
            assert status.startswith(b"HTTP/1.1 200"), (n, status)
            assert body == value, (n, len(body))
        sender.join()
        print("ok growth", growth >> 20)
        """
}
