#!/usr/bin/env python3
"""Sends the same commands to Redis and to a Ringtail node and prints every reply that differs.

    scripts/redis-diff.py REDIS_PORT RINGTAIL_PORT [CASES_FILE]

CASES_FILE (default scripts/redis-diff-cases.txt) holds one command per line, words split on
spaces; `#` starts a comment line. A word starting with K is a key: K becomes a prefix new to
each run, so runs do not see each other's data. `\\s` in a word is a space, `\\e` alone an empty
word. Replies are compared as raw RESP bytes. Ringtail's documented differences (docs/REDIS.md:
one database, no empty key, Redis 7.2's CLIENT SETINFO, its own configuration values) show up
as differences too; anything else is a compatibility bug. Both servers must be running on
127.0.0.1; the script starts nothing. Exits 0 always: the output is for reading.
"""
import os
import random
import socket
import sys


def encode(words):
    out = b"*%d\r\n" % len(words)
    for word in words:
        data = word.encode()
        out += b"$%d\r\n%s\r\n" % (len(data), data)
    return out


class Connection:
    def __init__(self, port):
        self.socket = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def fill(self, size):
        while len(self.buffer) < size:
            chunk = self.socket.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buffer += chunk

    def line(self):
        while b"\r\n" not in self.buffer:
            self.fill(len(self.buffer) + 1)
        end = self.buffer.index(b"\r\n")
        line, self.buffer = self.buffer[:end], self.buffer[end + 2:]
        return line

    def reply(self):
        line = self.line()
        kind = line[:1]
        if kind in (b"$", b"=", b"!"):
            length = int(line[1:])
            if length < 0:
                return line
            self.fill(length + 2)
            data, self.buffer = self.buffer[:length], self.buffer[length + 2:]
            return line + b" " + data
        if kind in (b"*", b"~", b">", b"%"):
            count = int(line[1:])
            if count < 0:
                return line
            items = [self.reply() for _ in range(count * (2 if kind == b"%" else 1))]
            return line + b"[" + b",".join(items) + b"]"
        return line

    def call(self, words):
        self.socket.sendall(encode(words))
        return self.reply()


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cases_file = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), "redis-diff-cases.txt")
    prefix = "diff%d:" % random.randrange(10**9)
    redis, ringtail = Connection(int(sys.argv[1])), Connection(int(sys.argv[2]))
    cases = [line for line in open(cases_file).read().splitlines() if line.strip() and not line.startswith("#")]
    differences = 0
    for case in cases:
        words = [prefix + word[1:] if word.startswith("K") else word for word in case.split()]
        words = ["" if word == "\\e" else word.replace("\\s", " ") for word in words]
        expected, got = redis.call(words), ringtail.call(words)
        if expected != got:
            differences += 1
            print("%-50s redis=%r\n%-50s ringtail=%r" % (" ".join(words)[:50], expected[:160], "", got[:160]))
    print("%d of %d commands answered differently" % (differences, len(cases)))


if __name__ == "__main__":
    main()
