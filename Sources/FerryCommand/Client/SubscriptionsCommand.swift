import ArgumentParser
import FerryJSON

/// `ferry subscriptions create|list|describe|pause|resume|seek|delete`: webhook subscriptions (API.md "Webhook
/// subscriptions (push)"). Tables by default, the server's JSON with `--json`.
struct SubscriptionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscriptions",
        abstract: "Manage webhook subscriptions: create, list, describe, pause, resume, seek, delete.",
        subcommands: [Create.self, List.self, Describe.self, Pause.self, Resume.self, Seek.self, Delete.self])

    static func path(_ topic: String, _ name: String? = nil) -> String {
        "/v1/topics/\(FerryClient.encode(topic))/subscriptions" + (name.map { "/" + FerryClient.encode($0) } ?? "")
    }

    /// Prints one status as a table row (with the header), or its JSON.
    static func show(_ status: JSONValue, json: Bool) {
        if json { return printJSON(status) }
        printTable(header, [row(status)])
    }

    static let header = ["NAME", "TOPIC", "STATE", "LAG", "DELIVERED", "FAILED_ATTEMPTS", "LAST_STATUS", "URL"]

    static func row(_ status: JSONValue) -> [String] {
        [
            status.text("name"), status.text("topic"), status.text("state"), status.text("lag"),
            status.text("delivered"), status.text("failed_attempts"), status.text("last_status"), status.text("url"),
        ]
    }

    /// Parses `key=value` options into a JSON object of strings.
    static func pairs(_ entries: [String], option: String) throws -> JSONObject {
        var object = JSONObject()
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ValidationError("\(option) wants name=value, got '\(entry)'")
            }
            object.append(parts[0], .string(parts[1]))
        }
        return object
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a webhook subscription on a topic.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var topic: String
        @Argument(help: "Subscription name.") var name: String
        @Option(help: "The http(s) URL that receives the batches.") var url: String
        @Option(help: "Signing secret (whsec_<base64> or any text); omit for unsigned deliveries.") var secret: String?
        @Option(help: "Messages per delivery (1-1000).") var batchSize: Int?
        @Option(help: "Attempts per batch before it goes to the dead-letter topic (1-100).") var maxAttempts: Int?
        @Option(help: "Per-attempt timeout in milliseconds.") var timeoutMs: Int?
        @Option(help: "earliest | latest (default latest).") var start: String?
        @Option(name: .customLong("header"), help: "A header sent with every delivery, Name=value (repeatable).")
        var headers: [String] = []
        @Option(
            name: .customLong("filter-header"), help: "Deliver only messages with this header, name=value (repeatable)."
        )
        var filterHeaders: [String] = []

        func run() throws {
            var body = JSONObject(pairs: [("name", .string(name)), ("url", .string(url))])
            if let secret { body.append("secret", .string(secret)) }
            if let batchSize { body.append("batch_size", .number(JSONNumber(Int64(batchSize)))) }
            if let maxAttempts { body.append("max_attempts", .number(JSONNumber(Int64(maxAttempts)))) }
            if let timeoutMs { body.append("timeout_ms", .number(JSONNumber(Int64(timeoutMs)))) }
            if let start { body.append("start", .string(start)) }
            if !headers.isEmpty {
                body.append("headers", .object(try SubscriptionsCommand.pairs(headers, option: "--header")))
            }
            if !filterHeaders.isEmpty {
                let filter = try SubscriptionsCommand.pairs(filterHeaders, option: "--filter-header")
                body.append("filter", .object(JSONObject(pairs: [("headers", .object(filter))])))
            }
            let answer = try FerryClient(client).json("POST", SubscriptionsCommand.path(topic), body: .object(body))
            SubscriptionsCommand.show(answer, json: client.json)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a topic's subscriptions.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var topic: String

        func run() throws {
            let answer = try FerryClient(client).json("GET", SubscriptionsCommand.path(topic))
            if client.json { return printJSON(answer) }
            printTable(SubscriptionsCommand.header, answer.list("subscriptions").map(SubscriptionsCommand.row))
        }
    }

    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a subscription's status.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var topic: String
        @Argument(help: "Subscription name.") var name: String

        func run() throws {
            let status = try FerryClient(client).json("GET", SubscriptionsCommand.path(topic, name))
            if client.json { return printJSON(status) }
            for key in [
                "name", "topic", "url", "state", "lag", "delivered", "failed_attempts", "last_status", "last_error",
                "last_delivery_at", "batch_size", "max_attempts", "filter",
            ] {
                print(key.padding(16) + status.text(key))
            }
        }
    }

    /// PATCHes `{"paused": paused}` and shows the status (pause and resume).
    static func setPaused(_ paused: Bool, topic: String, name: String, client: ClientOptions) throws {
        let body = JSONValue.object(JSONObject(pairs: [("paused", .bool(paused))]))
        show(try FerryClient(client).json("PATCH", path(topic, name), body: body), json: client.json)
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause deliveries (the position is kept).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var topic: String
        @Argument(help: "Subscription name.") var name: String

        func run() throws { try SubscriptionsCommand.setPaused(true, topic: topic, name: name, client: client) }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused or disabled subscription.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var topic: String
        @Argument(help: "Subscription name.") var name: String

        func run() throws { try SubscriptionsCommand.setPaused(false, topic: topic, name: name, client: client) }
    }

    struct Seek: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a subscription: --to earliest|latest, --timestamp MS, or --partition P --offset N.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var topic: String
        @Argument(help: "Subscription name.") var name: String
        @Option(help: "earliest | latest.") var to: String?
        @Option(help: "Replay from the first message at or after this time (ms since the epoch).") var timestamp: Int64?
        @Option(help: "Partition for --offset.") var partition: Int?
        @Option(help: "Offset to deliver next in --partition.") var offset: Int64?

        func validate() throws {
            let given = [to != nil, timestamp != nil, offset != nil].filter { $0 }.count
            guard given == 1 else { throw ValidationError("give exactly one of --to, --timestamp, --offset") }
            guard (offset == nil) == (partition == nil) else {
                throw ValidationError("--offset and --partition go together")
            }
        }

        func run() throws {
            let target: JSONValue
            if let to {
                target = .string(to)
            } else if let timestamp {
                target = .object(JSONObject(pairs: [("timestamp", .number(JSONNumber(timestamp)))]))
            } else {
                target = .object(
                    JSONObject(pairs: [
                        ("offset", .number(JSONNumber(offset ?? 0))),
                        ("partition", .number(JSONNumber(Int64(partition ?? 0)))),
                    ]))
            }
            let body = JSONValue.object(JSONObject(pairs: [("to", target)]))
            SubscriptionsCommand.show(
                try FerryClient(client).json("POST", SubscriptionsCommand.path(topic, name) + "/seek", body: body),
                json: client.json)
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a subscription (delivery stops at once).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var topic: String
        @Argument(help: "Subscription name.") var name: String

        func run() throws {
            try FerryClient(client).call("DELETE", SubscriptionsCommand.path(topic, name))
            if !client.json { print("deleted subscription \(name) of topic \(topic)") }
        }
    }
}

extension String {
    /// The string padded with spaces to at least `width` characters.
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
