import ArgumentParser
import FerryLogging

#if canImport(Glibc)
    import Glibc
#endif

/// The `ferry` command: `ferry serve` runs the server; other subcommands are clients and tools.
@main
struct Ferry: ParsableCommand {
    /// The version `ferry --version` and the server's start-up line print.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Ferry: a Kafka-style messaging system over plain HTTP/1.1 + JSON.",
        version: version,
        subcommands: [
            Serve.self, TopicsCommand.self, ProduceCommand.self, ConsumeCommand.self, GroupsCommand.self,
            QueueCommand.self, SubscriptionsCommand.self, KafkaMockCommand.self,
        ]
    )

    /// Parses and runs the command. `--help` and `--version` print as usual; any error (a bad flag or
    /// environment value, a data dir that cannot be opened, a port in use) prints exactly one line,
    /// `ferry: <message>`, on stderr and exits non-zero: 64 for usage errors, 1 otherwise. No usage dump, no
    /// stack trace.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let message = message(for: error)
                .split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { $0.trimmingCharacters() }
                .filter { !$0.isEmpty }.joined(separator: " ")
            let text = "ferry: " + (message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message) + "\n"
            FileDescriptorSink.standardError.write(Array(text.utf8))
            Glibc.exit(code.rawValue)
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    func trimmingCharacters() -> String {
        var view = self
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
