import FerryJSON
import FerryLogging
import Logging
import Synchronization
import Testing

/// Collects lines in memory.
final class CapturingSink: LogSink {
    let lines = Mutex<[[UInt8]]>([])
    func write(_ line: [UInt8]) { lines.withLock { $0.append(line) } }
    var texts: [String] { lines.withLock { $0 }.map { String(decoding: $0, as: UTF8.self) } }
}

/// The one handler: logfmt and JSON lines, escaping, one line per record, level filtering.
@Suite("FerryLogHandler")
struct FerryLogHandlerTests {
    /// 2025-11-25T16:19:52.123Z
    static let fixedClock: @Sendable () -> (seconds: Int, nanoseconds: Int) = { (1_764_087_592, 123_456_789) }

    static func logger(_ format: LogFormat, level: Logger.Level = .trace, sink: CapturingSink) -> Logger {
        Logger(label: "ferry.test") { label in
            FerryLogHandler(label: label, format: format, level: level, sink: sink, clock: fixedClock)
        }
    }

    @Test func logfmt_WritesFixedFieldsThenSortedMetadata() {
        let sink = CapturingSink()
        Self.logger(.logfmt, sink: sink).info(
            "ferry listening", metadata: ["port": "8080", "data_dir": "/var/lib/ferry"])
        #expect(
            sink.texts == [
                "ts=2025-11-25T16:19:52.123Z level=info logger=ferry.test msg=\"ferry listening\" data_dir=/var/lib/ferry port=8080\n"
            ])
    }

    @Test func logfmt_QuotesAndEscapesValues_WhenNeeded() {
        let sink = CapturingSink()
        let tricky: Logger.Metadata = [
            "quote": #"say "hi""#, "newline": "a\nb\r\nc", "equals": "a=b", "space": "a b", "empty": "",
            "unicode": "grüße→✓", "backslash": #"C:\x"#, "tab": "a\tb", "control": "\u{1}\u{7F}",
            "separator": "a\u{2028}b", "plain": "ok-1.2_3/x:y",
        ]
        Self.logger(.logfmt, sink: sink).warning("multi\nline \"message\"", metadata: tricky)
        let line = try! #require(sink.texts.first)
        #expect(line.filter { $0 == "\n" }.count == 1 && line.hasSuffix("\n"))
        #expect(line.contains(#"msg="multi\nline \"message\"""#))
        #expect(line.contains(#" quote="say \"hi\"""#))
        #expect(line.contains(#" newline="a\nb\r\nc""#))
        #expect(line.contains(#" equals="a=b""#))
        #expect(line.contains(#" space="a b""#))
        #expect(line.contains(#" empty="""#))
        #expect(line.contains(" unicode=grüße→✓"))
        #expect(line.contains(#" backslash="C:\\x""#))
        #expect(line.contains(#" tab="a\tb""#))
        #expect(line.contains(#" control="\u0001\u007f""#))
        #expect(line.contains(#" separator="a\u2028b""#))
        #expect(line.contains(" plain=ok-1.2_3/x:y"))
    }

    @Test func logfmt_ReplacesUnsafeKeyCharacters_AndPrefixesReservedKeys() {
        let sink = CapturingSink()
        Self.logger(.logfmt, sink: sink).info("m", metadata: ["a key=\"x\"": "1", "msg": "shadow", "level": "x"])
        let line = try! #require(sink.texts.first)
        #expect(line.contains(" a_key__x_=1"))
        #expect(line.contains(" _msg=shadow"))
        #expect(line.contains(" _level=x"))
        #expect(line.contains(" msg=m "))
    }

    @Test func json_WritesOneParsableObjectPerRecord_WithEscapes() throws {
        let sink = CapturingSink()
        let logger = Self.logger(.json, sink: sink)
        logger.error(
            "bad \"thing\"\nhappened",
            metadata: [
                "path": "/v1/topics/a b", "unicode": "grüße→✓", "eq": "a=b", "nested": ["k": ["1", "2"]],
                "msg": "shadow",
            ])
        logger.debug("second")
        let texts = sink.texts
        #expect(texts.count == 2)
        for text in texts { #expect(text.filter { $0 == "\n" }.count == 1 && text.hasSuffix("\n")) }
        let object = try JSONValue.parse(String(texts[0].dropLast()))
        #expect(object["ts"] == "2025-11-25T16:19:52.123Z")
        #expect(object["level"] == "error")
        #expect(object["logger"] == "ferry.test")
        #expect(object["msg"] == "bad \"thing\"\nhappened")
        #expect(object["path"] == "/v1/topics/a b")
        #expect(object["unicode"] == "grüße→✓")
        #expect(object["eq"] == "a=b")
        #expect(object["nested"] == ["k": ["1", "2"]])
        #expect(object["_msg"] == "shadow")
        let keys = (try object.object).keys
        #expect(Array(keys.prefix(4)) == ["ts", "level", "logger", "msg"])
        #expect(try JSONValue.parse(String(texts[1].dropLast()))["msg"] == "second")
    }

    @Test func handler_DropsRecordsBelowItsLevel() {
        let sink = CapturingSink()
        var logger = Self.logger(.logfmt, level: .warning, sink: sink)
        logger.info("hidden")
        logger.debug("hidden")
        logger.warning("shown")
        logger.critical("shown too")
        logger.logLevel = .trace
        logger.trace("now shown")
        #expect(sink.texts.map { $0.contains("hidden") } == [false, false, false])
        #expect(sink.texts.count == 3)
    }

    @Test func handler_MergesLoggerMetadata_RecordWins() {
        let sink = CapturingSink()
        var logger = Self.logger(.logfmt, sink: sink)
        logger[metadataKey: "component"] = "http"
        logger[metadataKey: "topic"] = "a"
        logger.info("m", metadata: ["topic": "b"])
        let line = try! #require(sink.texts.first)
        #expect(line.hasSuffix(" component=http topic=b\n"))
    }

    @Test func timestamp_FormatsUTCWithMilliseconds() {
        #expect(LogTimestamp.format(seconds: 0, nanoseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(LogTimestamp.format(seconds: 951_782_400, nanoseconds: 5_000_000) == "2000-02-29T00:00:00.005Z")
    }
}
