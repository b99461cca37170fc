import ArgumentParser
import FerryJSON

/// `ferry consume TOPIC`: prints messages of a topic, by offset or as a consumer-group member.
struct ConsumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Print messages of a topic (by partition and offset, or as a member of a consumer group).")

    @OptionGroup var client: ClientOptions
    @Argument(help: "Topic name.") var topic: String
    @Option(help: "Only this partition (default: every partition).") var partition: Int?
    @Option(help: "Start offset (default: the partition's start; -1: its end).") var offset: Int64?
    @Option(help: "Consume as a member of this group (commits after each batch, leaves at the end).") var group: String?
    @Flag(help: "Keep waiting for new messages.") var follow = false
    @Option(help: "json: one message JSON per line; value: only the value.") var format: Format = .json
    @Option(help: "Stop after this many messages.") var maxMessages: Int?

    enum Format: String, ExpressibleByArgument {
        case json, value
    }

    func run() throws {
        let ferry = FerryClient(client)
        if let group {
            try consumeAsMember(ferry, group: group)
        } else {
            try consumeByOffset(ferry)
        }
    }

    func emit(_ messages: [JSONValue], printed: inout Int) -> Bool {
        for message in messages {
            if let maxMessages, printed >= maxMessages { return false }
            switch format {
            case .json: print(message.compactString)
            case .value:
                switch message["value"] {
                case .string(let text)?: print(text)
                case .null?, nil: print(message.text("value_base64"))
                case let other?: print(other.compactString)
                }
            }
            printed += 1
        }
        if let maxMessages, printed >= maxMessages { return false }
        return true
    }

    func consumeByOffset(_ ferry: FerryClient) throws {
        let topicPath = "/v1/topics/" + FerryClient.encode(topic)
        let partitions: [Int]
        if let partition {
            partitions = [partition]
        } else {
            let description = try ferry.json("GET", topicPath)
            partitions = description.list("partitions").compactMap { value -> Int? in
                if case .number(let n)? = value["partition"], let p = try? n.int64 { return Int(p) }
                return nil
            }
        }
        var next: [Int: Int64] = [:]
        var printed = 0
        let wait = follow ? (partitions.count > 1 ? 500 : 30_000) : 0
        repeat {
            for p in partitions {
                while true {
                    var path = "\(topicPath)/partitions/\(p)/messages?limit=1000&wait_ms=\(wait)"
                    if let from = next[p] ?? offset { path += "&offset=\(from)" }
                    let answer = try ferry.json("GET", path, timeout: .seconds(90))
                    if case .number(let n)? = answer["next_offset"], let value = try? n.int64 { next[p] = value }
                    let messages = answer.list("messages")
                    guard emit(messages, printed: &printed) else { return }
                    if messages.isEmpty || !follow && next[p] == (try? answer["end_offset"].map { try $0.int64 }) ?? nil
                    {
                        break
                    }
                    if follow && partitions.count > 1 { break }
                }
            }
        } while follow
    }

    func consumeAsMember(_ ferry: FerryClient, group: String) throws {
        let groupPath = "/v1/groups/" + FerryClient.encode(group) + "/members"
        let reset = offset == -1 ? "latest" : "earliest"
        let joined = try ferry.json(
            "POST", groupPath,
            body: .object(
                JSONObject(pairs: [("topics", .array([.string(topic)])), ("auto_offset_reset", .string(reset))])))
        let member = joined.text("member_id")
        defer { _ = try? ferry.call("DELETE", groupPath + "/" + FerryClient.encode(member)) }
        var printed = 0
        while true {
            let answer = try ferry.json(
                "GET",
                "\(groupPath)/\(FerryClient.encode(member))/messages?limit=1000&wait_ms=\(follow ? 10_000 : 1_000)",
                timeout: .seconds(90))
            let messages = answer.list("messages")
            let more = emit(messages, printed: &printed)
            if !messages.isEmpty { try ferry.call("POST", "\(groupPath)/\(FerryClient.encode(member))/commit") }
            if !more || (messages.isEmpty && !follow) { return }
        }
    }
}
