import Foundation

/// SplitMix64: small, fast, and the same sequence on every machine for the same seed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    /// A generator for item `i` of a run seeded with `seed` (independent of other items).
    init(seed: UInt64, item: UInt64, stream: UInt64 = 0) {
        var s = SplitMix64(seed: seed ^ (stream &* 0xD6E8_FEB8_6659_FD93))
        state = s.next() ^ (item &* 0x9E37_79B9_7F4A_7C15)
        _ = next()
    }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
    mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + below(r.count) }
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }
    mutating func pickSome<T: Equatable>(_ a: [T], _ n: Int) -> [T] {
        var out: [T] = []
        var tries = 0
        while out.count < min(n, a.count) && tries < 4 * n + 8 {
            let x = pick(a)
            if !out.contains(x) { out.append(x) }
            tries += 1
        }
        return out
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("kbq-bench: \(message)\n".utf8))
    exit(2)
}

func note(_ message: String) {
    FileHandle.standardError.write(Data("kbq-bench: \(message)\n".utf8))
}

/// Monotonic nanoseconds.
@inline(__always) func nowNs() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// A YAML double-quoted scalar (JSON string escaping is valid YAML).
func yq(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}

func yList(_ a: [String]) -> String { "[" + a.map(yq).joined(separator: ", ") + "]" }

/// The bundled corpus of this checkout.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs a command, returns its stdout+stderr (empty on failure).
func capture(_ argv: [String]) -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = argv
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    do { try p.run() } catch { return "" }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// Sum of the sizes of regular files below `path`.
func diskSize(_ path: String) -> Int64 {
    var total: Int64 = 0
    guard let en = FileManager.default.enumerator(atPath: path) else { return 0 }
    while let rel = en.nextObject() as? String {
        if let a = try? FileManager.default.attributesOfItem(atPath: path + "/" + rel), a[.type] as? FileAttributeType == .typeRegular {
            total += (a[.size] as? NSNumber)?.int64Value ?? 0
        }
    }
    return total
}

/// A locked box.
final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ v: T) { value = v }
    func with<R>(_ f: (inout T) -> R) -> R { lock.lock(); defer { lock.unlock() }; return f(&value) }
}

func fmtBytes(_ b: Int64) -> String {
    let mb = Double(b) / 1_048_576
    return String(format: "%.1f MiB", mb)
}
