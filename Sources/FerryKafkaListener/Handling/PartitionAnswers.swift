import Synchronization

/// The per-partition answers of one request (Produce, ListOffsets), which come in any order, on any thread.
/// `onComplete` runs once, with every answer, after the last one came in and the request finished dispatching
/// (``armed()``): answers given synchronously during dispatch cannot complete it early. Thread-safe.
final class PartitionAnswers<Answer: Sendable>: Sendable {
    private let state: Mutex<(answers: [Answer?], pending: Int)>
    private let onComplete: @Sendable ([Answer?]) -> Void

    init(count: Int, onComplete: @escaping @Sendable ([Answer?]) -> Void) {
        state = Mutex((Array(repeating: nil, count: count), count + 1))
        self.onComplete = onComplete
    }

    func set(_ index: Int, _ answer: Answer) {
        settle { $0.answers[index] = answer }
    }

    /// Dispatch is over: completes now if every answer is in.
    func armed() { settle { _ in } }

    private func settle(_ change: (inout (answers: [Answer?], pending: Int)) -> Void) {
        let complete: [Answer?]? = state.withLock { state in
            change(&state)
            state.pending -= 1
            return state.pending == 0 ? state.answers : nil
        }
        if let complete { onComplete(complete) }
    }
}

/// `entries` (in request order, one topic's entries adjacent) as one group per topic, for the responses that
/// nest partitions under their topic.
func groupedByTopic<Value>(_ entries: [(topic: String, value: Value)]) -> [(topic: String, values: [Value])] {
    var groups: [(topic: String, values: [Value])] = []
    for (topic, value) in entries {
        if let last = groups.indices.last, groups[last].topic == topic {
            groups[last].values.append(value)
        } else {
            groups.append((topic, [value]))
        }
    }
    return groups
}
