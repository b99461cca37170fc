import ArgumentParser

/// The `ferry` command: `ferry serve` runs the server; other subcommands are clients and tools.
@main
struct Ferry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Ferry: a Kafka-style messaging system over plain HTTP/1.1 + JSON.",
        version: "0.1.0",
        subcommands: [
            Serve.self, TopicsCommand.self, ProduceCommand.self, ConsumeCommand.self, GroupsCommand.self,
            QueueCommand.self, SubscriptionsCommand.self,
        ]
    )
}
