import FerrySystem

extension LogManager {
    /// Renames topics in a data directory that is not open (start-up, before ``init(dataDirectory:maxMappedSegments:flusherThreads:clock:)``):
    /// for each `old → new` where `old` exists and `new` does not, moves the topic's directory, then rewrites
    /// its `topic.json` with the new name. Idempotent and safe to interrupt: a directory already moved whose
    /// `topic.json` still names `old` is finished on the next call. Returns the renames it did or finished.
    /// Blocks on disk I/O (fsync of the topics directory and of the rewritten file).
    @discardableResult
    public static func renameTopics(in dataDirectory: String, _ renames: [(old: String, new: String)])
        throws(LogError) -> [String]
    {
        let topics = dataDirectory + "/topics/"
        var done: [String] = []
        do {
            for (old, new) in renames {
                guard TopicManifest.isValidName(old), TopicManifest.isValidName(new) else {
                    throw LogError.invalidConfiguration("cannot rename topic \(old) to \(new)")
                }
                if !FileSystem.isDirectory(topics + new) {
                    guard FileSystem.isDirectory(topics + old) else { continue }
                    try FileSystem.rename(topics + old, to: topics + new)
                    try FileSystem.syncDirectory(topics)
                }
                let file = topics + new + "/topic.json"
                guard let bytes = try FileSystem.readFile(file), var metadata = TopicManifest.decode(bytes),
                    metadata.name == old
                else { continue }
                metadata.name = new
                try FileSystem.writeAtomically(file, try metadata.encoded())
                done.append("\(old) → \(new)")
            }
        } catch let error as LogError {
            throw error
        } catch let error as SystemError {
            throw LogError(error)
        } catch {
            throw LogError.invalidConfiguration("\(error)")
        }
        return done
    }
}
