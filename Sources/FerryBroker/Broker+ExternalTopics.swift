import Synchronization

/// Topics changed behind the broker's back: on a shared Kafka cluster, others create, grow and delete topics.
extension Broker {
    /// Takes the storage's view of the topics (``StorageEngine/externalTopics``) as the truth: adds topics it
    /// has and the broker does not, grows partition counts, and forgets topics it no longer has (their group
    /// offsets, queues and subscriptions go, as with a delete through the API). Does nothing on an engine only
    /// this broker changes. Called by housekeeping; never blocks.
    func adoptExternalTopics() {
        let (changed, removed) = topics.withLock { topics -> ([String], [String]) in
            // Read under the broker's topic lock, which a create or delete holds across its storage call: the
            // view cannot miss a topic this broker is adding.
            guard let seen = storage.externalTopics else { return ([], []) }
            var byName: [String: TopicMetadata] = [:]
            for metadata in seen { byName[metadata.name] = metadata }
            var changed: [String] = []
            for (name, metadata) in byName {
                guard let current = topics[name] else {
                    topics[name] = metadata
                    changed.append(name)
                    continue
                }
                if metadata.partitionCount > current.partitionCount {
                    topics[name]?.partitionCount = metadata.partitionCount
                    changed.append(name)
                }
            }
            // Internal topics are this broker's own: never forgotten because a listing missed them.
            let removed = topics.keys.filter { byName[$0] == nil && !ResourceName.isInternalTopic($0) }
            for name in removed { topics[name] = nil }
            return (changed, removed)
        }
        let shards = localShards
        for name in changed { for shard in shards { shard.topicChanged(name, deleted: false) } }
        for name in removed { for shard in shards { shard.topicChanged(name, deleted: true) } }
    }
}
