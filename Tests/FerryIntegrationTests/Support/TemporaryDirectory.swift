import FerrySystem

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp, removed by ``remove()``. Not removed on deinit: a server may still be using it.
struct TemporaryDirectory: Sendable {
    let path: String

    init(prefix: String = "ferry-itest") {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: errno \(errno)")
        path = String(cString: made!)
    }

    func remove() { try? FileSystem.removeTree(path) }
}
