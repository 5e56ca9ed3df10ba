import CFloor
import Glibc

// floor-server PORT nio|epoll|c-epoll|c-uring
let arguments = CommandLine.arguments
let modes = ["nio", "epoll", "c-epoll", "c-uring"]
guard arguments.count == 3, let port = UInt16(arguments[1]), modes.contains(arguments[2]) else {
    fatalError("usage: floor-server PORT \(modes.joined(separator: "|"))")
}
switch arguments[2] {
case "epoll": EpollFloor.run(port: port)
case "c-epoll":
    _ = floor_c_epoll(port)
    fatalError("the C epoll floor could not listen on \(port): errno \(errno)")
case "c-uring":
    _ = floor_c_uring(port)
    fatalError("the C io_uring floor could not start on \(port) (io_uring with deferred task work needed): errno \(errno)")
default: try NIOFloor.run(port: Int(port))
}
