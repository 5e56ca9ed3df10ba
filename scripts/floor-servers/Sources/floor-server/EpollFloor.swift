import CEpoll
import Glibc

/// The same answers from a hand-written loop: one thread, level-triggered epoll, one `read`
/// and one `write` per readable socket, buffers allocated once. Short writes and errors close
/// the connection: enough for redis-benchmark, not a server.
enum EpollFloor {
    static func run(port: UInt16) -> Never {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 512) == 0 else { fatalError("cannot listen on 127.0.0.1:\(port): errno \(errno)") }
        let epoll = epoll_create1(0)
        watch(listener, in: epoll)

        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 << 10, alignment: 16)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
        let reply = UnsafeMutableRawBufferPointer.allocate(byteCount: FixedReply.bytes.count, alignment: 16)
        reply.copyBytes(from: FixedReply.bytes)
        let maxRepliesPerWrite = output.count / reply.count
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let ready = Int(epoll_wait(epoll, &events, Int32(events.count), -1))
            for index in 0..<max(ready, 0) {
                let fd = events[index].data.fd
                if fd == listener {
                    let client = accept(listener, nil, nil)
                    guard client >= 0 else { continue }
                    _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
                    setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    watch(client, in: epoll)
                    continue
                }
                let count = read(fd, input.baseAddress, input.count)
                if count < 0, errno == EAGAIN { continue }
                let requests = count > 0 ? FixedReply.requests(in: UnsafeRawBufferPointer(rebasing: input[..<count])) : 0
                guard count > 0, requests <= maxRepliesPerWrite else {
                    close(fd)  // also leaves the epoll set
                    continue
                }
                for slot in 0..<requests {
                    (output.baseAddress! + slot * reply.count).copyMemory(from: reply.baseAddress!, byteCount: reply.count)
                }
                if write(fd, output.baseAddress, requests * reply.count) != requests * reply.count { close(fd) }
            }
        }
    }

    private static func watch(_ fd: Int32, in epoll: Int32) {
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(fd: fd))
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
    }
}
