extension RedisFrontDoorTests {
    /// `bulk(*words)`: a request as a RESP array of bulk strings, for the raw-socket scripts.
    static let pythonBulk = #"""
def bulk(*words):
    out = b"*%d\r\n" % len(words)
    for w in words:
        w = w if isinstance(w, bytes) else w.encode()
        out += b"$%d\r\n%s\r\n" % (len(w), w)
    return out

"""#

    /// `read_exactly(s, expected)`: reads as many bytes as `expected` holds from socket `s`
    /// and exits non-zero with both when they differ.
    static let pythonReadExactly = #"""
def read_exactly(s, expected):
    data = b""
    while len(data) < len(expected):
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    if data != expected:
        raise SystemExit("expected %r\n     got %r" % (expected[:300], data[:300]))

"""#

    /// Raw socket checks; exits non-zero with a message on the first mismatch.
    static let rawScript = pythonBulk + pythonReadExactly + #"""
import socket, sys
port = int(sys.argv[1])

def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s

# Pipelined: 1 write, 203 replies in order, mixing multibulk and inline requests.
s = connect()
request = b"PING\r\n" + bulk("SET", "x", "0") + b"".join(bulk("INCR", "x") for _ in range(200)) + b"GET x\r\n"
s.sendall(request)
expected = b"+PONG\r\n+OK\r\n" + b"".join(b":%d\r\n" % i for i in range(1, 201)) + b"$3\r\n200\r\n"
read_exactly(s, expected)

# Split requests, byte by byte.
for byte in bulk("ECHO", b"a\r\nb\x00"):
    s.send(bytes([byte]))
read_exactly(s, b"$5\r\na\r\nb\x00\r\n")

# RESP2 nulls, then RESP3 forms after HELLO 3.
s.sendall(bulk("GET", "missing") + bulk("MGET", "x", "missing"))
read_exactly(s, b"$-1\r\n*2\r\n$3\r\n200\r\n$-1\r\n")
s.sendall(bulk("HELLO", "3"))
hello = s.recv(65536)
if not hello.startswith(b"%7\r\n$6\r\nserver\r\n$8\r\nringtail\r\n") or b"$5\r\nproto\r\n:3\r\n" not in hello:
    raise SystemExit("HELLO 3 reply: %r" % hello)
s.sendall(bulk("GET", "missing") + bulk("CONFIG", "GET", "appendonly") + bulk("HELLO", "4"))
read_exactly(s, b"_\r\n%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n-NOPROTO unsupported protocol version\r\n")

# Inline quoting, as typed into telnet.
s.sendall(b'SET "spaced key" \'it\\\'s\'\r\nGET "spaced key"\r\n')
read_exactly(s, b"+OK\r\n$4\r\nit's\r\n")

# A protocol error is answered, then the connection closes.
s.sendall(b"*1\r\n$abc\r\n")
read_exactly(s, b"-ERR Protocol error: invalid bulk length\r\n")
if s.recv(100) != b"":
    raise SystemExit("connection still open after a protocol error")

# QUIT answers OK then closes; commands after it are not run.
s = connect()
s.sendall(b"QUIT\r\nSET after-quit 1\r\n")
read_exactly(s, b"+OK\r\n")
if s.recv(100) != b"":
    raise SystemExit("connection still open after QUIT")
s = connect()
s.sendall(bulk("EXISTS", "after-quit"))
read_exactly(s, b":0\r\n")

# A value over --max-value-size gets an error reply, and the connection lives on.
big = b"v" * (1024 * 1024 + 1)
s.sendall(bulk("SET", "big", big) + b"PING\r\n")
reply = b""
while not reply.endswith(b"+PONG\r\n"):
    chunk = s.recv(65536)
    if not chunk:
        raise SystemExit("closed after an oversized value: %r" % reply)
    reply += chunk
if not reply.startswith(b"-ERR value of 1048577 bytes exceeds the limit"):
    raise SystemExit("oversized value reply: %r" % reply)
print("ok")
"""#

    /// redis-py over RESP3 and RESP2.
    static let pythonScript = #"""
import sys, time, redis
port = int(sys.argv[1])
for protocol in (3, 2):
    r = redis.Redis(port=port, protocol=protocol, client_name="py%d" % protocol)
    assert r.ping() is True
    assert r.set("py:k", "v", ex=100) is True
    assert r.get("py:k") == b"v"
    assert 98 <= r.ttl("py:k") <= 100, r.ttl("py:k")
    assert r.set("py:k", "w", nx=True) is None
    assert r.getset("py:k", "x") == b"v"
    assert r.incr("py:n") >= 1 and r.decr("py:n") >= 0
    assert r.mset({"py:a": "1", "py:b": "2"}) is True
    assert r.mget("py:a", "py:b", "py:none") == [b"1", b"2", None]
    assert r.exists("py:a", "py:none") == 1
    assert r.delete("py:a", "py:b") == 2
    assert r.pexpire("py:k", 60000) is True and 59000 <= r.pttl("py:k") <= 60000
    assert r.persist("py:k") is True and r.ttl("py:k") == -1
    assert r.client_getname() in (b"py%d" % protocol, "py%d" % protocol), r.client_getname()
    assert r.client_id() > 0
    assert r.dbsize() >= 2
    info = r.info()
    assert info["redis_version"] == "7.2.0" and info["role"] == "master", info
    assert "db0" in r.info("keyspace")
    assert r.config_get("maxmemory")["maxmemory"] == str(256 << 20)
    assert r.command_count() > 30
    pipe = r.pipeline(transaction=False)
    for i in range(500):
        pipe.set("py:p%d" % i, i)
    for i in range(500):
        pipe.get("py:p%d" % i)
    replies = pipe.execute()
    assert replies[:500] == [True] * 500 and replies[500:] == [str(i).encode() for i in range(500)]
    # The node runs on jemalloc (linked in place of glibc's malloc) and says so, as Redis does.
    memory = r.info("memory")
    assert memory["mem_allocator"].startswith("jemalloc-"), memory
    assert memory["allocator_allocated"] > 0 and memory["allocator_resident"] > 0, memory
    try:
        r.execute_command("NOSUCH", "x")
        raise SystemExit("unknown command accepted")
    except redis.ResponseError as error:
        assert str(error) == "unknown command 'NOSUCH', with args beginning with: 'x' ", repr(str(error))
    try:
        r.execute_command("GET")
        raise SystemExit("wrong arity accepted")
    except redis.ResponseError as error:
        assert str(error) == "wrong number of arguments for 'get' command", repr(str(error))
    r.close()
print("ok")
"""#

    /// INFO's traffic, memory and CPU fields over one raw connection: the byte totals to the
    /// byte, the memory peak kept after the memory is freed, the rates and the CPU section.
    static let infoScript = pythonBulk + #"""
import re, socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
buffer = b""

def fill(n):
    global buffer
    while len(buffer) < n:
        chunk = s.recv(1 << 20)
        if not chunk:
            raise SystemExit("connection closed")
        buffer += chunk

def reply():
    """One reply, whole, as the bytes that came over the wire."""
    global buffer
    while b"\r\n" not in buffer:
        fill(len(buffer) + 1)
    line_end = buffer.index(b"\r\n") + 2
    if buffer[:1] in (b"$", b"="):
        length = int(buffer[1:line_end - 2])
        fill(line_end + length + 2)
        end = line_end + length + 2
    else:
        end = line_end
    raw, buffer = buffer[:end], buffer[end:]
    return raw

def call(*words):
    request = bulk(*words)
    s.sendall(request)
    return request, reply()

def info(section):
    request, raw = call("INFO", section)
    text = raw.split(b"\r\n", 1)[1].decode()
    fields = dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
    return request, raw, fields

# Byte totals: the INFO request read before it runs is counted in it; its reply is not.
_, raw1, first = info("stats")
set_request, set_reply = call("SET", "k", "v" * 100)
assert set_reply == b"+OK\r\n", set_reply
request2, _, second = info("stats")
expected_in = int(first["total_net_input_bytes"]) + len(set_request) + len(request2)
expected_out = int(first["total_net_output_bytes"]) + len(raw1) + len(set_reply)
assert int(second["total_net_input_bytes"]) == expected_in, (second, expected_in)
assert int(second["total_net_output_bytes"]) == expected_out, (second, expected_out)

# A burst of commands shows as a rate within the 1.6 s the rates cover.
s.sendall(b"".join(bulk("PING") for _ in range(2000)))
for _ in range(2000):
    assert reply() == b"+PONG\r\n"
deadline = time.time() + 10
while True:
    stats = info("stats")[2]
    if int(stats["instantaneous_ops_per_sec"]) > 0 and float(stats["instantaneous_input_kbps"]) > 0:
        break
    assert time.time() < deadline, stats
    time.sleep(0.05)

# The peak holds what was used once the memory is freed again.
assert call("SET", "big", "x" * (512 << 10))[1] == b"+OK\r\n"
with_big = info("memory")[2]
assert int(with_big["used_memory_peak"]) >= int(with_big["used_memory"]), with_big
with_big = int(with_big["used_memory"])
assert call("DEL", "big")[1] == b":1\r\n"
memory = info("memory")[2]
assert int(memory["used_memory"]) < with_big <= int(memory["used_memory_peak"]), memory
assert int(memory["used_memory_rss"]) > 1 << 20, memory
assert float(memory["mem_fragmentation_ratio"]) > 0, memory
assert memory["used_memory_peak_human"] and memory["used_memory_rss_human"], memory

# Keys with an expiry and their average time to live, as Redis's keyspace line has them.
assert call("SET", "ttl:a", "v", "EX", "100")[1] == b"+OK\r\n"
assert call("SET", "ttl:b", "v", "EX", "300")[1] == b"+OK\r\n"
keyspace = dict(pair.split("=") for pair in info("keyspace")[2]["db0"].split(","))
assert keyspace["keys"] == "3" and keyspace["expires"] == "2", keyspace
assert 195000 <= int(keyspace["avg_ttl"]) <= 200000, keyspace

everything = info("default")[2]
assert re.fullmatch(r"[0-9a-f]{40}", everything["run_id"]), everything["run_id"]
assert float(everything["used_cpu_user"]) > 0 and float(everything["used_cpu_sys"]) >= 0, everything
assert everything["loading"] == "0" and everything["aof_enabled"] == "0", everything
print("ok")
"""#

    /// CLIENT LIST, INFO and KILL across two raw connections, and TIME.
    static let clientsScript = pythonBulk + #"""
import socket, sys, time
port = int(sys.argv[1])

class Connection:
    def __init__(self):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""
    def fill(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise EOFError
        self.buffer += chunk
    def reply(self):
        while b"\r\n" not in self.buffer:
            self.fill()
        end = self.buffer.index(b"\r\n")
        line, kind = self.buffer[:end], self.buffer[:1]
        self.buffer = self.buffer[end + 2:]
        if kind in (b"$", b"="):
            length = int(line[1:])
            while len(self.buffer) < length + 2:
                self.fill()
            data, self.buffer = self.buffer[:length], self.buffer[length + 2:]
            return data[4:] if kind == b"=" else data
        if kind in (b"*", b"%", b">"):
            return [self.reply() for _ in range(int(line[1:]) * (2 if kind == b"%" else 1))]
        return line
    def call(self, *words):
        self.s.sendall(bulk(*words))
        return self.reply()

def parse(text):
    return [dict(field.split("=", 1) for field in line.split(" ")) for line in text.decode().splitlines() if line]

a, b = Connection(), Connection()
assert a.call("CLIENT", "SETNAME", "alpha") == b"+OK"
b.call("HELLO", "3", "SETNAME", "beta")
assert b.call("CLIENT", "SETINFO", "LIB-NAME", "probe") == b"+OK"
assert b.call("GET", "nothing") == b"_"
a_id, b_id = int(a.call("CLIENT", "ID")[1:]), int(b.call("CLIENT", "ID")[1:])

clients = {int(c["id"]): c for c in parse(a.call("CLIENT", "LIST"))}
assert set(clients) == {a_id, b_id}, clients
beta = clients[b_id]
host, b_port = b.s.getsockname()
assert beta["addr"] == "%s:%d" % (host, b_port) and beta["laddr"] == "127.0.0.1:%d" % port, beta
assert beta["name"] == "beta" and beta["resp"] == "3" and beta["lib-name"] == "probe" and beta["cmd"] == "client", beta
assert clients[a_id]["name"] == "alpha" and clients[a_id]["resp"] == "2", clients[a_id]
assert [c["id"] for c in parse(a.call("CLIENT", "INFO"))] == [str(a_id)]
assert [c["id"] for c in parse(a.call("CLIENT", "LIST", "ID", str(b_id)))] == [str(b_id)]
assert a.call("CLIENT", "LIST", "TYPE", "pubsub") == b""

assert a.call("CLIENT", "KILL", "127.0.0.1:1") == b"-ERR No such client"
assert a.call("CLIENT", "KILL", "ID", str(a_id)) == b":0"  # SKIPME yes by default
assert a.call("CLIENT", "KILL", "ID", str(b_id)) == b":1"
try:
    b.call("PING")
    raise SystemExit("the killed connection still answers")
except (EOFError, ConnectionResetError, BrokenPipeError):
    pass
deadline = time.time() + 10
while [c["id"] for c in parse(a.call("CLIENT", "LIST"))] != [str(a_id)]:
    assert time.time() < deadline, "the killed client is still listed"
    time.sleep(0.05)

seconds, micros = a.call("TIME")
assert abs(int(seconds) + int(micros) / 1e6 - time.time()) < 5 and 0 <= int(micros) < 1000000

# Killing itself: the reply comes, then the connection closes.
assert a.call("CLIENT", "KILL", "ID", str(a_id), "SKIPME", "no") == b":1"
try:
    a.fill()
    raise SystemExit("the connection that killed itself stays open")
except (EOFError, ConnectionResetError):
    pass
print("ok")
"""#
}
