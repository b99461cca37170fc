import ArgumentParser
import FerryJSON

/// `ferry queue create|status|receive|ack`: point-to-point queues (API.md "Queues"). Output is the server's JSON.
struct QueueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Work with queues: create, status, receive (lease) and ack messages.",
        subcommands: [Create.self, Status.self, Receive.self, Ack.self])

    static func path(_ topic: String, _ queue: String? = nil) -> String {
        "/v1/topics/\(FerryClient.encode(topic))/queues" + (queue.map { "/" + FerryClient.encode($0) } ?? "")
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a queue on a topic; prints its status.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var topic: String
        @Argument(help: "Queue name.") var queue: String
        @Option(help: "earliest | latest.") var start = "latest"
        @Option(help: "Deliveries before a message goes to the dead-letter topic (1-100).") var maxDeliveries = 5
        @Option(help: "Dead-letter topic (default {topic}.{queue}.dlq).") var deadLetterTopic: String?

        func run() throws {
            var body = JSONObject(pairs: [
                ("name", .string(queue)), ("start", .string(start)),
                ("max_deliveries", .number(JSONNumber(Int64(maxDeliveries)))),
            ])
            if let deadLetterTopic { body.append("dead_letter_topic", .string(deadLetterTopic)) }
            printJSON(try FerryClient(client).json("POST", QueueCommand.path(topic), body: .object(body)))
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a queue's status (or every queue of the topic).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var topic: String
        @Argument(help: "Queue name (default: list every queue).") var queue: String?

        func run() throws {
            printJSON(try FerryClient(client).json("GET", QueueCommand.path(topic, queue)))
        }
    }

    struct Receive: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lease messages; prints one message JSON per line, each with its receipt and delivery_count.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var topic: String
        @Argument(help: "Queue name.") var queue: String
        @Option(help: "At most this many messages (1-1000).") var maxMessages = 10
        @Option(help: "Wait up to this long when none is available (0-60000).") var waitMs = 0
        @Option(help: "Lease length (100-43200000).") var leaseMs: Int64 = 30_000

        func run() throws {
            let body = JSONValue.object(
                JSONObject(pairs: [
                    ("max_messages", .number(JSONNumber(Int64(maxMessages)))),
                    ("wait_ms", .number(JSONNumber(Int64(waitMs)))), ("lease_ms", .number(JSONNumber(leaseMs))),
                ]))
            let answer = try FerryClient(client).json(
                "POST", QueueCommand.path(topic, queue) + "/receive", body: body,
                timeout: .seconds(Int64(waitMs / 1000 + 30)))
            for message in answer.list("messages") { printJSON(message) }
        }
    }

    struct Ack: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Acknowledge messages by receipt; prints one {\"receipt\",\"status\"} per line (ok or stale).")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var topic: String
        @Argument(help: "Queue name.") var queue: String
        @Argument(help: "Receipts from receive.") var receipts: [String]

        func validate() throws {
            guard !receipts.isEmpty else { throw ValidationError("give at least one receipt") }
        }

        func run() throws {
            let body = JSONValue.object(JSONObject(pairs: [("receipts", .array(receipts.map { .string($0) }))]))
            let answer = try FerryClient(client).json("POST", QueueCommand.path(topic, queue) + "/ack", body: body)
            var stale = false
            for result in answer.list("results") {
                printJSON(result)
                if result.text("status") != "ok" { stale = true }
            }
            if stale { throw ExitCode(2) }
        }
    }
}
