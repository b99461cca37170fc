/// One change of the subscription state, as journaled in `__ferry_subscriptions`.
enum SubscriptionJournalEntry: Sendable, Equatable {
    /// A subscription exists with this config, positions, generation and counters (creation, or a snapshot).
    case created(SubscriptionConfig, positions: [Int64], generation: Int64, stats: SubscriptionStats)
    /// New config (PATCH, pause, resume, disabled by a 410); positions unchanged.
    case updated(SubscriptionConfig)
    case deleted(topic: String, name: String)
    /// A batch of `partition` is done: the position is now `offset`; `stats` are the counters after it.
    case committed(topic: String, name: String, partition: Int, offset: Int64, stats: SubscriptionStats)
    /// A seek: new positions (every partition) and generation.
    case seeked(topic: String, name: String, generation: Int64, positions: [Int64])
}
