/// A Python client that pipelines binary-RPC GETs of a 64 KiB value without reading the
/// responses for a while, then reads and checks every one (type, value, each request id once:
/// a coordinator answers in the order its replicas do).
/// Arguments: the node's RPC port, its Redis port (to store the value), its PID and how many
/// GETs to send. Prints "ok growth N": the node's resident-memory growth in MiB while
/// nothing was read.
enum RPCFloodScript {
    static let source = FloodScript.prelude + """
        rpc_port, redis_port, pid, count = (int(a) for a in sys.argv[1:5])
        value = b"w" * 65536
        r = socket.create_connection(("127.0.0.1", redis_port), timeout=30)
        r.sendall(b"*3\\r\\n$3\\r\\nSET\\r\\n$3\\r\\nbig\\r\\n$65536\\r\\n" + value + b"\\r\\n")
        assert r.recv(5) == b"+OK\\r\\n"
        def get(request_id):
            body = b"\\x0a\\x03big"
            return struct.pack(">IBBHI", 8 + len(body), 1, 0, 10, request_id) + body
        s = socket.create_connection(("127.0.0.1", rpc_port), timeout=60)
        def send():
            for k in range(count // 100):
                s.sendall(b"".join(get(k * 100 + j + 1) for j in range(100)))
        sender, growth = flood_growth(pid, send)
        responses = s.makefile("rb", buffering=1 << 20)
        answered = set()
        for n in range(count):
            length, version, flags, kind, request_id = struct.unpack(">IBBHI", responses.read(12))
            body = responses.read(length - 8)
            assert kind == 11 and 1 <= request_id <= count, (n, kind, request_id, body[:120])
            assert request_id not in answered, (n, "answered twice", request_id)
            answered.add(request_id)
            assert value in body, (n, "value missing")
        sender.join()
        print("ok growth", growth >> 20)
        """
}
