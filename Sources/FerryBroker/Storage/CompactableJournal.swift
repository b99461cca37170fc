/// An internal journal with the way its owner appends a snapshot of its live state (the owner's
/// `appendSnapshot`, which takes the owner's locks; see ``InternalLineJournal/compact(appendSnapshot:)``).
struct CompactableJournal: Sendable {
    /// The internal topic, for logs.
    let topic: String
    let journal: InternalLineJournal
    let appendSnapshot: @Sendable () -> Int
}
