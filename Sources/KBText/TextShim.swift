import CTextShim

/// An error reported by ICU or OpenCC through the text shim.
public struct TextError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

@inline(__always)
func checkedText<T>(_ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T) throws(TextError) -> T {
    var err: UnsafeMutablePointer<CChar>? = nil
    let result = body(&err)
    if let err {
        defer { kbt_free(err) }
        throw TextError(message: String(cString: err))
    }
    return result
}

@inline(__always)
func withUTF8Bytes<R>(_ s: String, _ body: (UnsafePointer<CChar>?, Int) throws -> R) rethrows -> R {
    var s = s
    return try s.withUTF8 { buf in try buf.withMemoryRebound(to: CChar.self) { try body($0.baseAddress, $0.count) } }
}

func takeText(_ p: UnsafeMutablePointer<CChar>?, _ len: Int) -> String {
    guard let p else { return "" }
    defer { kbt_free(p) }
    return p.withMemoryRebound(to: UInt8.self, capacity: len) {
        String(decoding: UnsafeBufferPointer(start: $0, count: len), as: UTF8.self)
    }
}

/// The writing systems kbq analyses differently.
public enum Script: Int32, Sendable, Codable {
    case other = 0, latin, han, kana, hangul, thai, lao, khmer, myanmar, arabic, cyrillic, greek, devanagari, hebrew

    /// Scripts written without spaces between words: segmented by dictionary, plus n-grams.
    public var isUnspaced: Bool { [.han, .kana, .thai, .lao, .khmer, .myanmar].contains(self) }
    /// Scripts whose accents are folded for accent-insensitive matching.
    public var foldsAccents: Bool { [.latin, .greek, .cyrillic].contains(self) }
}

/// One word found by ICU's word break iterator.
public struct Segment: Sendable, Equatable {
    public enum Kind: Int32, Sendable { case number = 1, letter = 2, kana = 3, ideographic = 4 }
    /// UTF-8 byte offsets into the segmented text.
    public let range: Range<Int>
    public let kind: Kind
    public let script: Script
}

/// ICU's dictionary word break iterator (Thai, Lao, Khmer, Burmese, Chinese, Japanese).
/// Not thread-safe: one per thread.
public final class Segmenter {
    private let handle: OpaquePointer

    public init() throws {
        guard let h = try checkedText({ kbt_segmenter_new($0) }) else { throw TextError(message: "ICU word breaker unavailable") }
        handle = h
    }

    deinit { kbt_segmenter_free(handle) }

    public func segments(_ text: String) throws -> [Segment] {
        var out: UnsafeMutablePointer<kbt_token>? = nil
        let n = try checkedText { err in withUTF8Bytes(text) { kbt_segment(handle, $0, $1, &out, err) } }
        guard let out else { return [] }
        defer { kbt_free(out) }
        return (0..<n).map { i in
            let t = out[i]
            return Segment(range: Int(t.start)..<Int(t.end), kind: Segment.Kind(rawValue: t.kind) ?? .letter,
                           script: Script(rawValue: t.script) ?? .other)
        }
    }
}

/// Unicode NFKC with case folding, through ICU.
public enum UnicodeFolding {
    public static func nfkcCasefold(_ text: String) throws -> String {
        // ASCII needs only lower-casing, which is most of the text kbq sees.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.lowercased() }
        var len = 0
        let p = try checkedText { err in withUTF8Bytes(text) { kbt_normalize($0, $1, &len, err) } }
        return takeText(p, len)
    }
}

/// OpenCC conversion, e.g. `tw2sp.json`: Taiwan traditional → simplified with Taiwan
/// vocabulary (軟體 → 软件, 滑鼠 → 鼠标). Not thread-safe: one per thread.
public final class ChineseConverter {
    private let handle: OpaquePointer
    public init(config: String = "tw2sp.json") throws {
        guard let h = try checkedText({ err in kbt_converter_new(config, err) }) else {
            throw TextError(message: "OpenCC \(config) unavailable")
        }
        handle = h
    }

    deinit { kbt_converter_free(handle) }

    public func convert(_ text: String) throws -> String {
        var len = 0
        let p = try checkedText { err in withUTF8Bytes(text) { kbt_convert(handle, $0, $1, &len, err) } }
        return takeText(p, len)
    }
}
