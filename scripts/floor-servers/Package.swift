// swift-tools-version:6.0
// Servers that answer every Redis request with the same fixed 100-byte bulk string and do
// nothing else: one on SwiftNIO the way Ringtail's front door uses it, one on a hand-written
// epoll loop in Swift, and two in plain C (CFloor), over epoll and over io_uring.
// `scripts/cpu-per-request.sh --floors` runs them beside Redis and Ringtail to show what the I/O
// layer alone costs per request. Not part of the Ringtail package or of CI.
import PackageDescription

let package = Package(
    name: "floor-servers",
    dependencies: [.package(url: "https://github.com/apple/swift-nio", from: "2.101.2")],
    targets: [
        .target(name: "CEpoll"),
        .target(name: "CFloor"),
        .executableTarget(
            name: "floor-server",
            dependencies: ["CEpoll", "CFloor", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]),
    ]
)
