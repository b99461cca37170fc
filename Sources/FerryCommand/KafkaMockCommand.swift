import ArgumentParser
import Dispatch
import FerryBroker
import FerryKafka
import FerryLogging

#if canImport(Glibc)
    import Glibc
#endif

/// `ferry kafka-mock` (hidden): hosts librdkafka's mock cluster in its own process, so that several
/// `ferry serve --storage kafka` gateways (and native Kafka clients) can share one cluster in tests and demos.
/// Prints the bootstrap servers on one line of stdout, then runs until SIGTERM or SIGINT.
///
/// The mock cannot create topics through the Admin API, so the topics are made here: Ferry's internal topics
/// (with `--state-shards` partitions for the state journals, like a new cluster) and every `--topic NAME:N`.
struct KafkaMockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-mock", abstract: "Host librdkafka's mock Kafka cluster (tests and demos).",
        shouldDisplay: false)

    @Option(help: "Mock brokers.")
    var brokers: Int32 = 3

    @Option(help: "Partitions of Ferry's state journals (__ferry_groups, ...).")
    var stateShards: Int32 = 16

    @Option(help: "A topic to create, NAME:PARTITIONS (repeatable).")
    var topic: [String] = []

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be 1...16") }
        guard (1...1024).contains(stateShards) else { throw ValidationError("--state-shards must be 1...1024") }
        for spec in topic {
            let parts = spec.split(separator: ":")
            guard parts.count == 2, !parts[0].isEmpty, let count = Int32(parts[1]), count >= 1 else {
                throw ValidationError("--topic must be NAME:PARTITIONS, got '\(spec)'")
            }
        }
    }

    func run() throws {
        let cluster: KafkaMockCluster
        do {
            cluster = try KafkaMockCluster(brokers: brokers) { _ in }
            for name in [
                Broker.groupStateTopic, Broker.queueStateTopic, Broker.subscriptionStateTopic,
                Broker.idempotencyStateTopic,
            ] {
                try cluster.createTopic(name, partitions: stateShards)
            }
            try cluster.createTopic(Broker.clusterTopic, partitions: 1)
            for spec in topic {
                let parts = spec.split(separator: ":")
                try cluster.createTopic(String(parts[0]), partitions: Int32(parts[1]) ?? 1)
            }
        } catch {
            throw ValidationError("cannot start the mock Kafka cluster: \(error)")
        }
        FileDescriptorSink(descriptor: 1).write(Array((cluster.bootstrapServers + "\n").utf8))
        let done = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { done.signal() }
            source.resume()
            sources.append(source)
        }
        done.wait()
        _ = sources
        withExtendedLifetime(cluster) {}
    }
}
