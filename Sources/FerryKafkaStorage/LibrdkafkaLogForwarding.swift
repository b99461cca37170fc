import FerryKafka
import Logging

extension KafkaConfiguration {
    /// Routes librdkafka's log and error lines to `logger` (error for syslog levels ≤ 3, warning for 4, debug
    /// below) unless a handler is set already, so that they never go raw to stderr. `source` names the client in
    /// the message (e.g. "cluster membership").
    mutating func forwardLogs(to logger: Logger, source: String? = nil) {
        guard logHandler == nil else { return }
        let prefix = source.map { "librdkafka (\($0)): " } ?? "librdkafka: "
        logHandler = { event in
            let level: Logger.Level = event.level <= 3 ? .error : event.level == 4 ? .warning : .debug
            logger.log(
                level: level, "\(prefix)\(event.message)",
                metadata: ["facility": "\(event.facility)", "client": "\(event.client)"])
        }
    }
}
