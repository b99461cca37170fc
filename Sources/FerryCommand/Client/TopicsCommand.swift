import ArgumentParser
import FerryJSON

/// `ferry topics list|create|describe|delete`.
struct TopicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics", abstract: "List, create, describe and delete topics.",
        subcommands: [List.self, Create.self, Describe.self, Delete.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List topics.")
        @OptionGroup var client: ClientOptions

        func run() throws {
            let answer = try FerryClient(client).json("GET", "/v1/topics")
            if client.json { return printJSON(answer) }
            printTable(
                ["NAME", "PARTITIONS", "MESSAGES", "BYTES"],
                answer.list("topics").map {
                    [$0.text("name"), $0.text("partition_count"), $0.text("messages"), $0.text("bytes")]
                })
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a topic.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var name: String
        @Option(help: "Partition count (1-1024).") var partitions = 1
        @Option(name: .customLong("config"), help: "A config entry key=value (repeatable), e.g. retention_ms=3600000.")
        var config: [String] = []

        func run() throws {
            var settings = JSONObject()
            for entry in config {
                let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("--config wants key=value, got '\(entry)'") }
                if let number = try? JSONNumber(validating: parts[1]) {
                    settings.append(parts[0], .number(number))
                } else {
                    settings.append(parts[0], .string(parts[1]))
                }
            }
            let body: JSONValue = .object(
                JSONObject(pairs: [
                    ("name", .string(name)), ("partitions", .number(JSONNumber(Int64(partitions)))),
                    ("config", .object(settings)),
                ]))
            let answer = try FerryClient(client).json("POST", "/v1/topics", body: body)
            if client.json { return printJSON(answer) }
            print("created topic \(name) with \(answer.text("partition_count")) partition(s)")
        }
    }

    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a topic's partitions and config.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var name: String

        func run() throws {
            let answer = try FerryClient(client).json("GET", "/v1/topics/" + FerryClient.encode(name))
            if client.json { return printJSON(answer) }
            print(
                "topic \(answer.text("name")), created_at \(answer.text("created_at")), config \(answer.text("config"))"
            )
            printTable(
                ["PARTITION", "START", "END", "BYTES", "SEGMENTS"],
                answer.list("partitions").map {
                    [
                        $0.text("partition"), $0.text("start_offset"), $0.text("end_offset"), $0.text("bytes"),
                        $0.text("segments"),
                    ]
                })
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a topic and its data.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Topic name.") var name: String

        func run() throws {
            try FerryClient(client).call("DELETE", "/v1/topics/" + FerryClient.encode(name))
            if !client.json { print("deleted topic \(name)") }
        }
    }
}

/// `ferry groups list|describe`.
struct GroupsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups", abstract: "List and describe consumer groups.", subcommands: [List.self, Describe.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List consumer groups.")
        @OptionGroup var client: ClientOptions

        func run() throws {
            let answer = try FerryClient(client).json("GET", "/v1/groups")
            if client.json { return printJSON(answer) }
            printTable(
                ["GROUP", "MEMBERS", "TOPICS"],
                answer.list("groups").map { [$0.text("group"), $0.text("member_count"), $0.text("topics")] })
        }
    }

    struct Describe: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a group's members, offsets and lag.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "Group name.") var group: String

        func run() throws {
            let answer = try FerryClient(client).json("GET", "/v1/groups/" + FerryClient.encode(group))
            if client.json { return printJSON(answer) }
            let members = answer.list("members")
            print("group \(group): \(members.count) member(s)")
            for member in members { print("  \(member.text("member_id")) \(member.text("assignments"))") }
            printTable(
                ["TOPIC", "PARTITION", "COMMITTED", "END", "LAG"],
                answer.list("offsets").map {
                    [
                        $0.text("topic"), $0.text("partition"), $0.text("committed_offset"), $0.text("end_offset"),
                        $0.text("lag"),
                    ]
                })
        }
    }
}
