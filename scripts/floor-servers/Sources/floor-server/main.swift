// floor-server PORT nio|epoll
let arguments = CommandLine.arguments
guard arguments.count == 3, let port = UInt16(arguments[1]), ["nio", "epoll"].contains(arguments[2]) else {
    fatalError("usage: floor-server PORT nio|epoll")
}
if arguments[2] == "epoll" { EpollFloor.run(port: port) }
try NIOFloor.run(port: Int(port))
