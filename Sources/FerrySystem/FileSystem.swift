import CFerryLinux

#if canImport(Glibc)
    import Glibc
#endif

/// Path-based file-system helpers (directories, atomic replace, recursive removal) over the syscall wrapper.
///
/// Stateless; safe from any thread. Every function may block on disk I/O; the `sync*` ones on `fsync`.
public enum FileSystem {
    /// Creates a directory (mode 0755). Succeeds if it already exists.
    public static func createDirectory(_ path: String) throws(SystemError) {
        if mkdir(path, 0o755) == 0 { return }
        let code = Glibc.errno
        if code == EEXIST { return }
        throw SystemError(errno: code, call: "mkdir")
    }

    /// Creates `path` and any missing parents.
    public static func createDirectories(_ path: String) throws(SystemError) {
        if mkdir(path, 0o755) == 0 || Glibc.errno == EEXIST { return }  // the common case: the parent exists
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            try createDirectory(current)
        }
    }

    /// The names in a directory, without `.` and `..`, in no particular order.
    public static func contentsOfDirectory(_ path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else { throw SystemError(errno: Glibc.errno, call: "opendir") }
        defer { closedir(directory) }
        var names: [String] = []
        // The name is read in place up to its NUL: a dirent is only as long as its name, so copying the whole
        // 256-byte `d_name` tuple can read past the end of readdir's buffer.
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19
        while let entry = readdir(directory) {
            let start = UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self)
            let name = String(cString: start)
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The size of a regular file, or nil when it does not exist.
    public static func fileSize(_ path: String) throws(SystemError) -> Int? {
        var info = stat()
        if stat(path, &info) == 0 { return Int(info.st_size) }
        let code = Glibc.errno
        if code == ENOENT { return nil }
        throw SystemError(errno: code, call: "stat")
    }

    /// Whether `path` exists and is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Removes a file. Succeeds if it does not exist.
    public static func removeFile(_ path: String) throws(SystemError) {
        if unlink(path) == 0 { return }
        let code = Glibc.errno
        if code == ENOENT { return }
        throw SystemError(errno: code, call: "unlink")
    }

    /// Removes a file or a directory with everything below it. Succeeds if it does not exist.
    public static func removeTree(_ path: String) throws(SystemError) {
        var info = stat()
        if lstat(path, &info) != 0 {
            let code = Glibc.errno
            if code == ENOENT { return }
            throw SystemError(errno: code, call: "lstat")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in try contentsOfDirectory(path) { try removeTree(path + "/" + name) }
            if rmdir(path) != 0 && Glibc.errno != ENOENT { throw SystemError(errno: Glibc.errno, call: "rmdir") }
        } else {
            try removeFile(path)
        }
    }

    /// Renames `source` to `destination` atomically (replacing it if it exists).
    public static func rename(_ source: String, to destination: String) throws(SystemError) {
        _ = try syscall("rename") { Glibc.rename(source, destination) }
    }

    /// `fsync`s a directory so that entries created, renamed or removed in it are durable.
    public static func syncDirectory(_ path: String) throws(SystemError) {
        let fd = try FileDescriptor.open(path, O_RDONLY | O_DIRECTORY)
        defer { fd.close() }
        try fd.sync()
    }

    /// Commits everything dirty on the file system that holds `path` (`syncfs`): one call instead of one
    /// `fsync` per file when thousands of files must be synced (start-up, shutdown). Blocks.
    public static func syncFileSystem(containing path: String) throws(SystemError) {
        let fd = try FileDescriptor.open(path, O_RDONLY | O_DIRECTORY)
        defer { fd.close() }
        _ = try syscall("syncfs") { cferry_syncfs(fd.rawValue) }
    }

    /// Replaces `path` with `bytes` atomically and durably: write `path.tmp`, `fsync` it, rename it over `path`,
    /// `fsync` the directory. After a crash the file holds either the old or the new content, never a mix.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8], durable: Bool = true) throws(SystemError) {
        let temporary = path + ".tmp"
        let fd = try FileDescriptor.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
        do throws(SystemError) {
            let written = bytes.withUnsafeBytes { raw in Result { () throws(SystemError) in try fd.write(raw, at: 0) } }
            try written.get()
            if durable { try fd.sync() }
        } catch {
            fd.close()
            try? removeFile(temporary)
            throw error
        }
        fd.close()
        try rename(temporary, to: path)
        if durable { try syncDirectory(parentDirectory(of: path)) }
    }

    /// Reads a whole file, or returns nil when it does not exist.
    public static func readFile(_ path: String) throws(SystemError) -> [UInt8]? {
        let fd: FileDescriptor
        do throws(SystemError) {
            fd = try FileDescriptor.open(path, O_RDONLY)
        } catch {
            if error.errno == ENOENT { return nil }
            throw error
        }
        defer { fd.close() }
        let size = try fd.size()
        var bytes = [UInt8](repeating: 0, count: size)
        let count = try bytes.withUnsafeMutableBytes { raw in
            Result { () throws(SystemError) in try fd.read(into: raw, at: 0) }
        }.get()
        if count < size { bytes.removeLast(size - count) }
        return bytes
    }

    /// The directory part of a path (`"."` when there is none).
    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }
}
