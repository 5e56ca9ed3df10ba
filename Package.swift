// swift-tools-version: 6.1
import PackageDescription

/// Ringtail: a Dynamo-style replicated in-memory cache.
///
/// Module dependencies point one way:
///   RingtailModel ← RingtailStorage ← RingtailNode ← cache-node
///   RingtailModel ← RingtailWire    ← RingtailClient ← cachectl
///   RingtailRESP  ← RingtailNode
///   RingtailModel ← RingtailChecker ← cache-checker (also RingtailClient)
///   CSodium ← RingtailCrypto
///   RingtailAllocator ← RingtailNode; CJemalloc ← cache-node (jemalloc as the node's malloc)
///   CEpoll ← RingtailLoop ← RingtailNode
/// The request path's modules skip the runtime exclusivity checks in release builds: they were
/// ~5% of a pipelined request's CPU (docs/BENCHMARKS.md). Debug builds, and so the test suite,
/// keep checking, which is where an overlapping access would show. The scripts' release builds
/// (scripts/lib.sh, `swift_build`) pass the flag, and cross-module optimization, to every
/// module, dependencies included, which a package manifest cannot do.
let requestPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Ringtail",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cache-node", targets: ["cache-node"]),
        .executable(name: "cachectl", targets: ["cachectl"]),
        .executable(name: "cache-checker", targets: ["cache-checker"]),
        .executable(name: "ringtail-protogen", targets: ["ringtail-protogen"]),
        .library(name: "RingtailClient", targets: ["RingtailClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Pure value types: keys, hashing, hybrid logical clock, versions. No dependencies.
        .target(name: "RingtailModel"),

        // libsodium, linked through pkg-config; BLAKE2b wrapper on top.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(name: "RingtailCrypto", dependencies: ["CSodium"]),

        // jemalloc, linked through pkg-config into cache-node, where it replaces glibc's malloc.
        .systemLibrary(
            name: "CJemalloc",
            pkgConfig: "jemalloc",
            providers: [.apt(["libjemalloc-dev"])]
        ),
        // The allocator's name and statistics for INFO, found at run time (any allocator).
        .target(name: "RingtailAllocator"),

        // Sharded byte-bounded LRU store with TTL, tombstones and LWW versions.
        .target(name: "RingtailStorage", dependencies: ["RingtailModel"], swiftSettings: requestPath),
        .target(name: "RingtailMembership", dependencies: ["RingtailModel"]),
        // Quorum rounds, read resolution and repair, sloppy-quorum placement, hint bookkeeping: pure.
        // Generic rounds (ReadRound<Payload>) are specialized in the coordinator only when their
        // bodies cross the module boundary; unspecialized, every call looked up type metadata.
        .target(
            name: "RingtailReplication", dependencies: ["RingtailModel"],
            swiftSettings: requestPath + [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]),
        // Merkle trees of partitions (BLAKE2b), tree comparison and the sync session: pure.
        .target(name: "RingtailAntiEntropy", dependencies: ["RingtailModel", "RingtailCrypto"]),

        // History model and consistency checker (lost writes, phantoms, divergence, stale reads): pure.
        .target(name: "RingtailChecker", dependencies: ["RingtailModel"]),

        // Partitions, consistent-hash ring with virtual nodes, preference lists. Pure values.
        .target(name: "RingtailRing", dependencies: ["RingtailModel"]),

        // Schema compiler for Proto/: parser and Swift emitter (no I/O), plus its command.
        .target(name: "ProtoGenKit"),
        .executableTarget(name: "ringtail-protogen", dependencies: ["ProtoGenKit"]),

        // Framed binary RPC: generated messages, wire runtime, frame codec.
        .target(
            name: "RingtailWire",
            dependencies: [
                "RingtailModel",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: requestPath
        ),

        // Redis protocol (RESP2/RESP3): values, request parser, encoder. Protocol only: no I/O.
        .target(
            name: "RingtailRESP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: requestPath
        ),

        // What Glibc's Swift module leaves out for RingtailLoop: epoll, eventfd, accept4, thread names.
        .target(name: "CEpoll"),
        // A hand-written epoll event loop conforming to NIO's EventLoop, plus non-blocking socket
        // helpers: the Redis front door's I/O without a channel pipeline.
        .target(
            name: "RingtailLoop",
            dependencies: [
                "CEpoll",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: requestPath
        ),

        // Async client library used by cachectl and the tests; the node's peer connections too.
        .target(
            name: "RingtailClient",
            dependencies: [
                "RingtailWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: requestPath
        ),

        // The node: NIO server, request handling, background services.
        .target(
            name: "RingtailNode",
            dependencies: [
                "RingtailModel",
                "RingtailStorage",
                "RingtailWire",
                "RingtailCrypto",
                "RingtailRing",
                "RingtailMembership",
                "RingtailReplication",
                "RingtailAntiEntropy",
                "RingtailClient",
                "RingtailRESP",
                "RingtailLoop",
                "RingtailAllocator",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: requestPath
        ),

        .executableTarget(
            name: "cache-node",
            dependencies: [
                "RingtailNode",
                "RingtailAllocator",
                "CJemalloc",
                "RingtailRing",
                "RingtailMembership",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: requestPath
        ),
        .executableTarget(
            name: "cachectl",
            dependencies: [
                "RingtailClient",
                "RingtailWire",
                "RingtailModel",
                // `bench --resp` encodes commands and parses replies with the node's RESP code.
                "RingtailRESP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // Latency percentiles for `cachectl bench`.
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        // Jepsen-style consistency run against a live cluster, judged by RingtailChecker.
        .executableTarget(
            name: "cache-checker",
            dependencies: [
                "RingtailChecker",
                "RingtailClient",
                "RingtailWire",
                "RingtailModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "RingtailModelTests", dependencies: ["RingtailModel"]),
        .testTarget(name: "RingtailCryptoTests", dependencies: ["RingtailCrypto"]),
        .testTarget(name: "RingtailStorageTests", dependencies: ["RingtailStorage", "RingtailModel"]),
        .testTarget(name: "RingtailMembershipTests", dependencies: ["RingtailMembership", "RingtailModel"]),
        .testTarget(name: "RingtailRingTests", dependencies: ["RingtailRing", "RingtailModel"]),
        .testTarget(name: "RingtailReplicationTests", dependencies: ["RingtailReplication", "RingtailModel"]),
        .testTarget(name: "RingtailAntiEntropyTests", dependencies: ["RingtailAntiEntropy", "RingtailModel", "RingtailCrypto"]),
        .testTarget(name: "RingtailCheckerTests", dependencies: ["RingtailChecker", "RingtailModel"]),
        .testTarget(name: "ProtoGenKitTests", dependencies: ["ProtoGenKit"]),
        .testTarget(
            name: "RingtailWireTests",
            dependencies: [
                "RingtailWire",
                "RingtailModel",
                "ProtoGenKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RingtailRESPTests",
            dependencies: [
                "RingtailRESP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RingtailLoopTests",
            dependencies: [
                "RingtailLoop",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RingtailNodeTests",
            dependencies: [
                "RingtailModel",
                "RingtailStorage",
                "RingtailAntiEntropy",
                "RingtailClient",
                "RingtailNode",
                "RingtailWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
