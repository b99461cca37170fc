import FerrySystem
import Synchronization

/// Messages read from one partition by ``PartitionStorage/read(from:maxMessages:maxBytes:completion:)``: at most
/// the asked number, in offset order, within the byte bound. Immutable and `Sendable`; the message bytes stay
/// valid while the batch is alive (an engine keeps what backs them: the embedded engine its mappings).
public protocol StoredBatch: Sendable {
    /// How many messages ``forEach(_:)`` visits.
    var count: Int { get }
    /// Where the next read starts (after the last message; the requested offset when empty), and the
    /// partition's start and end offsets when the read began.
    var position: PartitionRead { get }
    /// Visits every message in offset order, on the calling thread.
    func forEach(_ visit: (borrowing StoredMessage) -> Void)
}

extension PartitionStorage {
    /// Reads and waits for the answer: for start-up replay and tests only, never on an event loop (an engine
    /// that reads over the network blocks the calling thread until it answers).
    public func readNow(from offset: Int64, maxMessages: Int, maxBytes: Int) throws(BrokerError) -> any StoredBatch {
        let answer = BlockingAnswer<Result<any StoredBatch, BrokerError>>()
        read(from: offset, maxMessages: maxMessages, maxBytes: maxBytes) { answer.give($0) }
        return try answer.wait().get()
    }
}

/// One answer handed from the thread that has it to a thread that waits for it (``PartitionStorage/readNow``).
final class BlockingAnswer<Value: Sendable>: Sendable {
    private let state = ConditionLock<Value?>(nil)

    func give(_ value: Value) {
        state.withLockThenSignal { $0 = value }
    }

    func wait() -> Value {
        state.wait(deadline: { _ in nil }) { $0 }
    }
}

extension PartitionStorage {
    /// Reads `[from, to)` (`from` raised to the start offset) in reads of at most `chunk` messages, one after
    /// another, calling `visit` for every message in offset order and then `completion` (stopping early at the
    /// partition's end). `visit` and `completion` run on the threads the reads complete on, one at a time,
    /// never concurrently; neither may block.
    public func readRange(
        from: Int64, to: Int64, chunk: Int = 1000, visit: @escaping @Sendable (borrowing StoredMessage) -> Void,
        completion: @escaping @Sendable (Result<Void, BrokerError>) -> Void
    ) {
        let offset = max(from, startOffset)
        guard offset < to else { return completion(.success(())) }
        read(from: offset, maxMessages: Int(min(to - offset, Int64(chunk))), maxBytes: Int.max) { [self] result in
            switch result {
            case .failure(let error):
                completion(.failure(error))
            case .success(let batch):
                batch.forEach { message in if message.offset < to { visit(message) } }
                let next = batch.position.nextOffset
                guard next > offset else { return completion(.success(())) }
                readRange(from: next, to: to, chunk: chunk, visit: visit, completion: completion)
            }
        }
    }
}

/// One read of ``readAll(_:completion:)``.
public struct PartitionReadRequest: Sendable {
    public var storage: any PartitionStorage
    public var offset: Int64
    public var maxMessages: Int

    public init(storage: any PartitionStorage, offset: Int64, maxMessages: Int) {
        self.storage = storage
        self.offset = offset
        self.maxMessages = maxMessages
    }
}

/// Starts every read at once (no byte bound) and calls `completion` once with their outcomes in request order,
/// on the thread the last read completes on (the caller's, before returning, when every read completes at
/// once). Never blocks.
public func readAll(
    _ requests: [PartitionReadRequest],
    completion: @escaping @Sendable ([Result<any StoredBatch, BrokerError>]) -> Void
) {
    guard !requests.isEmpty else { return completion([]) }
    let gathered = Mutex<(results: [Result<any StoredBatch, BrokerError>?], remaining: Int)>(
        (Array(repeating: nil, count: requests.count), requests.count))
    for (index, request) in requests.enumerated() {
        request.storage.read(from: request.offset, maxMessages: request.maxMessages, maxBytes: Int.max) { result in
            let done = gathered.withLock { state -> [Result<any StoredBatch, BrokerError>]? in
                state.results[index] = result
                state.remaining -= 1
                return state.remaining == 0 ? state.results.compactMap { $0 } : nil
            }
            if let done { completion(done) }
        }
    }
}

/// Looks up, in every partition at once, the first offset whose timestamp is ≥ `timestamp` (each partition's
/// end offset when none), and calls `completion` once with them in `partitions` order, or with the first error.
/// Never blocks; `completion` runs on the thread the last lookup completes on.
public func offsets(
    of partitions: [any PartitionStorage], atOrAfterTimestamp timestamp: Int64,
    completion: @escaping @Sendable (Result<[Int64], BrokerError>) -> Void
) {
    guard !partitions.isEmpty else { return completion(.success([])) }
    let gathered = Mutex<(offsets: [Int64], remaining: Int, failure: BrokerError?)>(
        (Array(repeating: 0, count: partitions.count), partitions.count, nil))
    for (index, partition) in partitions.enumerated() {
        partition.offset(atOrAfterTimestamp: timestamp) { result in
            let done = gathered.withLock { state -> Result<[Int64], BrokerError>? in
                switch result {
                case .success(let offset): state.offsets[index] = offset
                case .failure(let error): state.failure = state.failure ?? error
                }
                state.remaining -= 1
                guard state.remaining == 0 else { return nil }
                return state.failure.map { .failure($0) } ?? .success(state.offsets)
            }
            if let done { completion(done) }
        }
    }
}
