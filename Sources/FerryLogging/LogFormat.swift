/// How ``FerryLogHandler`` writes a record: one line each, in either format.
///
/// ```
/// logfmt: ts=2026-11-25T16:19:52.123Z level=info logger=ferry msg="ferry listening on http://127.0.0.1:8080" port=8080
/// json:   {"ts":"2026-11-25T16:19:52.123Z","level":"info","logger":"ferry","msg":"ferry listening on …","port":"8080"}
/// ```
public enum LogFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `key=value` pairs (Heroku/Go logfmt); values with spaces, `=`, quotes or control characters are quoted.
    case logfmt
    /// One JSON object per line (for log shippers).
    case json

    public var description: String { rawValue }
}
