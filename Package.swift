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
    dependencies: [],
    targets: [
        // Thin extern "C" layer over Xapian 1.4: opaque handles, every C++ exception caught.
        .target(
            name: "CXapian",
            linkerSettings: [.linkedLibrary("xapian"), .linkedLibrary("stdc++")]
        ),
        // Typed Swift handles over CXapian; the only module that touches raw pointers.
        .target(name: "Xapian", dependencies: ["CXapian"]),
        .testTarget(name: "XapianTests", dependencies: ["Xapian"]),
    ],
    cxxLanguageStandard: .cxx17
)
