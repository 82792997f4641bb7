import CXapian

/// An error raised inside Xapian (or the shim), carried into Swift.
///
/// `className` is Xapian's error class (`DatabaseOpeningError`, `DatabaseLockError`,
/// `QueryParserError`, `DocNotFoundError`, `NetworkError`, …); `message` is its text.
public struct XapianError: Error, Sendable, Equatable, CustomStringConvertible {
    public let className: String
    public let message: String

    public init(className: String, message: String) {
        self.className = className
        self.message = message
    }

    public var description: String { "\(className): \(message)" }

    /// Whether the error says a reader should reopen its database and try again.
    public var isDatabaseModified: Bool { className == "DatabaseModifiedError" }

    /// Whether a remote database (xapian-tcpsrv) failed or timed out.
    public var isNetwork: Bool { className.hasPrefix("Network") }
}

/// Calls a shim function that reports failure through its trailing `kbx_error **`.
@inline(__always)
func checked<T>(_ body: (UnsafeMutablePointer<OpaquePointer?>) -> T) throws(XapianError) -> T {
    var err: OpaquePointer? = nil
    let result = body(&err)
    if let err {
        defer { kbx_error_free(err) }
        throw XapianError(className: String(cString: kbx_error_class(err)),
                          message: String(cString: kbx_error_message(err)))
    }
    return result
}

/// Like `checked`, for shim functions that return a new handle (NULL on failure).
@inline(__always)
func created(_ body: (UnsafeMutablePointer<OpaquePointer?>) -> OpaquePointer?) throws(XapianError) -> OpaquePointer {
    guard let handle = try checked(body) else {
        throw XapianError(className: "std::bad_alloc", message: "the shim returned no handle")
    }
    return handle
}
