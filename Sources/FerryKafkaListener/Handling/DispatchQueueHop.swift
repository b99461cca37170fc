import Dispatch

/// Work that may block (topic administration on a network-backed engine) moved off a loop thread.
enum DispatchQueueHop {
    static func run(_ work: @escaping @Sendable () -> Void) { DispatchQueue.global().async(execute: work) }
}
