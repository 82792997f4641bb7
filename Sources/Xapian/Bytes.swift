import CXapian

// Xapian strings are byte strings. They go into the shim as (pointer, length) and come
// back malloc'ed; these helpers are the only place that handles those raw buffers.

@inline(__always)
func withBytes<R>(_ s: String, _ body: (UnsafePointer<CChar>?, Int) throws -> R) rethrows -> R {
    var s = s
    return try s.withUTF8 { buf in
        try buf.withMemoryRebound(to: CChar.self) { try body($0.baseAddress, $0.count) }
    }
}

@inline(__always)
func withBytes<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>?, Int) throws -> R) rethrows -> R {
    try bytes.withUnsafeBufferPointer { buf in
        try buf.withMemoryRebound(to: CChar.self) { try body($0.baseAddress, $0.count) }
    }
}

/// Takes ownership of a malloc'ed shim string and returns its bytes.
func takeBytes(_ p: UnsafeMutablePointer<CChar>?, _ len: Int) -> [UInt8] {
    guard let p else { return [] }
    defer { kbx_free(p) }
    return p.withMemoryRebound(to: UInt8.self, capacity: len) { Array(UnsafeBufferPointer(start: $0, count: len)) }
}

/// Takes ownership of a malloc'ed shim string and decodes it as UTF-8.
func takeString(_ p: UnsafeMutablePointer<CChar>?, _ len: Int) -> String {
    String(decoding: takeBytes(p, len), as: UTF8.self)
}

/// Copies a shim list of (string, number) pairs and frees it.
func takeList(_ list: OpaquePointer) -> [(String, UInt64)] {
    defer { kbx_list_free(list) }
    return (0..<kbx_list_count(list)).map { i in
        var len = 0
        let p = kbx_list_string(list, i, &len)!
        let s = p.withMemoryRebound(to: UInt8.self, capacity: len) {
            String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
        }
        return (s, kbx_list_number(list, i))
    }
}
