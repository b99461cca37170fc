import FerrySystem
import Synchronization

extension LogManager {
    /// Creates a topic with `partitions` empty partitions and writes its metadata durably. Blocks on fsync.
    @discardableResult
    public func createTopic(
        _ name: String, partitions: Int, configuration: LogConfiguration = LogConfiguration(),
        attributes: [String: String] = [:]
    ) throws(LogError) -> TopicManifest {
        guard TopicManifest.isValidName(name) else { throw LogError.invalidTopicName(name) }
        guard partitions >= 1 && partitions <= 100_000 else { throw LogError.invalidPartitionCount(partitions) }
        try configuration.validate()
        return try adminLock.withLock { _ throws(LogError) -> TopicManifest in
            let exists = try state.withLock { state throws(LogError) -> Bool in
                if state.isShutdown { throw LogError.closed }
                return state.topics[name] != nil
            }
            if exists { throw LogError.topicExists(name) }
            let directory = topicsDirectory + "/" + name
            let metadata = TopicManifest(
                name: name, partitionCount: partitions, configuration: configuration,
                createdAt: environment.clock(), attributes: attributes)
            do throws(SystemError) {
                try FileSystem.removeTree(directory)  // leftovers of a crashed creation
                try FileSystem.createDirectory(directory)
            } catch {
                throw LogError(error)
            }
            let logs = try openPartitions(directory: directory, range: 0..<partitions, configuration: configuration)
            let bytes = try metadata.encoded()
            do throws(SystemError) {
                try FileSystem.writeAtomically(directory + "/topic.json", bytes)
                try FileSystem.syncDirectory(topicsDirectory)
            } catch {
                for log in logs { log.close() }
                throw LogError(error)
            }
            state.withLock { $0.topics[name] = Topic(metadata: metadata, partitions: logs) }
            return metadata
        }
    }

    /// Grows a topic to `count` partitions (never shrinks). Blocks on fsync.
    @discardableResult
    public func addPartitions(topic name: String, count: Int) throws(LogError) -> TopicManifest {
        try adminLock.withLock { _ throws(LogError) -> TopicManifest in
            guard var topic = state.withLock({ $0.topics[name] }) else { throw LogError.topicNotFound(name) }
            guard count >= topic.metadata.partitionCount && count <= 100_000 else {
                throw LogError.invalidPartitionCount(count)
            }
            if count == topic.metadata.partitionCount { return topic.metadata }
            let directory = topicsDirectory + "/" + name
            let added = try openPartitions(
                directory: directory, range: topic.metadata.partitionCount..<count,
                configuration: topic.metadata.configuration)
            topic.metadata.partitionCount = count
            let bytes = try topic.metadata.encoded()
            do throws(SystemError) {
                try FileSystem.writeAtomically(directory + "/topic.json", bytes)
            } catch {
                for log in added { log.close() }
                throw LogError(error)
            }
            topic.partitions += added
            let updated = topic
            state.withLock { $0.topics[name] = updated }
            return topic.metadata
        }
    }

    /// Replaces a topic's configuration (applied to every partition at once) and/or attributes.
    @discardableResult
    public func updateTopic(
        _ name: String, configuration: LogConfiguration? = nil, attributes: [String: String]? = nil
    ) throws(LogError) -> TopicManifest {
        try adminLock.withLock { _ throws(LogError) -> TopicManifest in
            guard var topic = state.withLock({ $0.topics[name] }) else { throw LogError.topicNotFound(name) }
            if let configuration {
                try configuration.validate()
                topic.metadata.configuration = configuration
            }
            if let attributes { topic.metadata.attributes = attributes }
            let bytes = try topic.metadata.encoded()
            do throws(SystemError) {
                try FileSystem.writeAtomically(topicsDirectory + "/" + name + "/topic.json", bytes)
            } catch {
                throw LogError(error)
            }
            if let configuration { for log in topic.partitions { try log.updateConfiguration(configuration) } }
            let updated = topic
            state.withLock { $0.topics[name] = updated }
            return topic.metadata
        }
    }

    /// Deletes a topic: closes its partitions and removes its files (renamed away first, so a crash midway
    /// never leaves a half-deleted topic visible). Records already read stay valid. Blocks on I/O.
    public func deleteTopic(_ name: String) throws(LogError) {
        try adminLock.withLock { _ throws(LogError) in
            guard let topic = state.withLock({ $0.topics.removeValue(forKey: name) }) else {
                throw LogError.topicNotFound(name)
            }
            for log in topic.partitions { log.close() }
            let trash = deletingDirectory + "/" + name + "-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
            do throws(SystemError) {
                try FileSystem.createDirectories(deletingDirectory)
                try FileSystem.rename(topicsDirectory + "/" + name, to: trash)
                try FileSystem.syncDirectory(topicsDirectory)
                try FileSystem.removeTree(trash)
            } catch {
                throw LogError(error)
            }
        }
    }

    private func openPartitions(directory: String, range: Range<Int>, configuration: LogConfiguration) throws(LogError)
        -> [PartitionLog]
    {
        var logs: [PartitionLog] = []
        logs.reserveCapacity(range.count)
        do {
            for number in range {
                logs.append(
                    try PartitionLog.open(
                        directory: directory + "/\(number)", configuration: configuration,
                        environment: environment))
            }
            try? FileSystem.syncDirectory(directory)
        } catch {
            for log in logs { log.close() }
            throw error
        }
        return logs
    }
}
