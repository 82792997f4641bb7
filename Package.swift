// swift-tools-version:6.0
// kbq — a multilingual knowledge-base search daemon over Xapian.
// Modules, lowest first; each imports only those above it:
//   CXapian (C++ shim) → Xapian (Swift wrapper) → KBCorpus → KBSearch → KBServer → kbqd / kbq
import PackageDescription

let package = Package(
    name: "kbq",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Xapian", targets: ["Xapian"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // Thin extern "C" layer over Xapian 1.4: opaque handles, every C++ exception caught.
        .target(
            name: "CXapian",
            linkerSettings: [.linkedLibrary("xapian"), .linkedLibrary("stdc++")]
        ),
        // Typed Swift handles over CXapian; the only module that touches raw pointers.
        .target(name: "Xapian", dependencies: ["CXapian"]),
        // ICU word segmentation and normalisation, OpenCC conversion, behind a header that
        // includes no ICU header (Foundation carries its own ICU; the two must not meet).
        .target(name: "CTextShim", cxxSettings: [.unsafeFlags(["-I/usr/include/opencc"])]),
        // Language analysis: words, stems, accent folding, n-grams, script detection.
        .target(name: "KBText", dependencies: ["CTextShim", "Xapian"]),
        // The encyclopedia: entries, markets, glossary, and the loader that checks them.
        .target(name: "KBCorpus", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The search engine: schema, indexing, query building, ranking, generations.
        .target(name: "KBSearch", dependencies: ["Xapian", "KBText", "KBCorpus"]),
        // What daemon and client share: socket locations, the error body.
        .target(name: "KBProtocol"),
        // The daemon's HTTP layer over a Unix socket: decode → route → handler → encode.
        .target(name: "KBServer", dependencies: [
            "KBSearch", "KBCorpus", "KBProtocol", "Xapian",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOExtras", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // libsystemd: sd_notify and socket activation.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd"),
        // The daemon.
        .executableTarget(name: "kbqd", dependencies: [
            "KBServer", "KBProtocol", "CSystemd",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // An HTTP client for kbqd's socket (NIO's HTTP codec).
        .target(name: "KBClient", dependencies: [
            "KBProtocol",
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // The agents' command-line client.
        .executableTarget(name: "kbq", dependencies: [
            "KBCorpus", "KBSearch", "KBClient", "KBProtocol",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Relevance evaluations (XQuAD, the judged query set) through the real query path.
        .executableTarget(name: "kbq-eval", dependencies: ["KBSearch", "KBCorpus"], path: "Benchmarks/kbq-eval"),
        // Speed and memory: synthetic corpora, index build, latency over the socket and in-process.
        .executableTarget(name: "kbq-bench", dependencies: ["KBSearch", "KBCorpus", "KBText", "KBClient"], path: "Benchmarks/kbq-bench"),
        .testTarget(name: "XapianTests", dependencies: ["Xapian"]),
        .testTarget(name: "KBCorpusTests", dependencies: ["KBCorpus"]),
        .testTarget(name: "KBTextTests", dependencies: ["KBText"]),
        .testTarget(name: "KBSearchTests", dependencies: ["KBSearch", "KBCorpus"]),
        // The real kbqd and kbq binaries, talked to with curl and kbq over a temporary socket.
        .testTarget(name: "IntegrationTests", dependencies: ["kbqd", "kbq"]),
    ],
    cxxLanguageStandard: .cxx17
)
