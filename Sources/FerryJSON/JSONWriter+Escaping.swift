/// String escaping and number formatting for ``JSONWriter`` (both from ``JSONText``).
extension JSONWriter {
    @inline(__always)
    mutating func appendEscapedString(_ string: String) {
        var string = string
        string.withUTF8 { appendEscaped(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `"` + escaped UTF-8 + `"` (``JSONText/appendEscaped(_:quoted:to:)``).
    @inline(__always)
    mutating func appendEscaped(_ utf8: UnsafeRawBufferPointer) {
        JSONText.appendEscaped(utf8, to: &bytes)
    }

    /// Appends the decimal digits of `value` (with `-` if negative).
    @inline(__always)
    mutating func appendDecimal(_ value: Int64) {
        JSONText.appendDecimal(value, to: &bytes)
    }
}
