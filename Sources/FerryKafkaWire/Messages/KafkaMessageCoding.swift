// Small array helpers the message codecs share: nullable arrays (null kept apart from empty), int32 and string
// arrays. Counts are checked against the bytes left before anything is allocated, like KafkaReader's own arrays.

extension KafkaReader {
    /// A nullable ARRAY (int32 count, -1 = nil) of elements taking at least `minimumElementBytes` each.
    mutating func nullableArray<Element>(
        minimumElementBytes: Int, _ element: (inout KafkaReader) throws(KafkaWireError) -> Element
    ) throws(KafkaWireError) -> [Element]? {
        let count = Int(try int32())
        if count < 0 { return nil }
        guard count <= remaining / max(1, minimumElementBytes) else {
            throw .invalid("array of \(count) elements does not fit in the frame")
        }
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try element(&self)) }
        return elements
    }

    /// An ARRAY of INT32.
    mutating func int32Array() throws(KafkaWireError) -> [Int32] {
        try array(minimumElementBytes: 4) { reader throws(KafkaWireError) in try reader.int32() }
    }

    /// An ARRAY of STRING.
    mutating func stringArray() throws(KafkaWireError) -> [String] {
        try array(minimumElementBytes: 2) { reader throws(KafkaWireError) in try reader.string() }
    }
}

extension KafkaWriter {
    /// A nullable ARRAY: -1 for nil.
    mutating func nullableArray<Element>(_ elements: [Element]?, _ element: (inout KafkaWriter, Element) -> Void) {
        guard let elements else { return int32(-1) }
        array(elements, element)
    }

    /// An ARRAY of INT32.
    mutating func int32Array(_ values: [Int32]) { array(values) { writer, value in writer.int32(value) } }

    /// An ARRAY of STRING.
    mutating func stringArray(_ values: [String]) { array(values) { writer, value in writer.string(value) } }
}
