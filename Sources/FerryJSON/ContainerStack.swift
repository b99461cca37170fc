/// A stack of "object or array" flags for the iterative scanners: the first 64 levels live in one word, deeper
/// levels spill into an array (allocated only for nesting beyond 64).
struct ContainerStack {
    private var bits: UInt64 = 0
    private var count = 0
    private var spilled: [UInt64] = []

    /// True when no container is open.
    var isEmpty: Bool { count == 0 }

    /// True when the innermost open container is an object.
    var topIsObject: Bool { bits & 1 == 1 }

    mutating func push(isObject: Bool) {
        if count > 0 && count % 64 == 0 {
            spilled.append(bits)
            bits = 0
        }
        bits = (bits << 1) | (isObject ? 1 : 0)
        count += 1
    }

    mutating func pop() {
        assert(count > 0, "pop on an empty ContainerStack")
        bits >>= 1
        count -= 1
        if count > 0 && count % 64 == 0 { bits = spilled.removeLast() }
    }
}
