import Synchronization

/// Set by the SIGTERM/SIGINT handlers (an atomic store is async-signal-safe); polled by the main loop.
let stopRequested = Atomic<Bool>(false)
