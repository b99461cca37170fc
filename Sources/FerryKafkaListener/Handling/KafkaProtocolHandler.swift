import FerryBroker
import FerryKafkaWire
import FerrySystem
import Logging
import Synchronization

/// Answers Kafka-protocol requests from the broker: the same topics, offsets and consumer groups the HTTP API
/// serves. One instance serves every connection of a ``KafkaListener``.
///
/// Runs on the listener's loop threads and never blocks them: storage answers arrive through callbacks,
/// long-poll fetches wait on append waiters, topic administration that waits for a network goes to a
/// Dispatch thread. Thread-safe.
public final class KafkaProtocolHandler: KafkaRequestHandling {
    /// What the handler says about this node and how it checks credentials.
    public struct Configuration: Sendable {
        /// The host and port clients are told to connect to (Metadata, FindCoordinator); port 0: the listener's
        /// bound port, set by ``KafkaProtocolHandler/listening(on:)``.
        public var advertisedHost: String
        public var advertisedPort: Int
        public var nodeID: Int32
        public var clusterID: String
        /// Partitions of a topic created by a Metadata or CreateTopics request that does not say.
        public var defaultPartitions: Int
        /// With credentials configured: checks a SASL/PLAIN user name and password, returning who it is.
        public var authenticator: (any KafkaAuthenticator)?

        public init(
            advertisedHost: String, advertisedPort: Int, nodeID: Int32 = 0, clusterID: String = "ferry",
            defaultPartitions: Int = 1, authenticator: (any KafkaAuthenticator)? = nil
        ) {
            self.advertisedHost = advertisedHost
            self.advertisedPort = advertisedPort
            self.nodeID = nodeID
            self.clusterID = clusterID
            self.defaultPartitions = defaultPartitions
            self.authenticator = authenticator
        }
    }

    let broker: Broker
    /// Immutable; only the advertised port may be learnt later (``advertisedPort``).
    let configuration: Configuration
    /// The port clients are told: the configured one, or the listener's bound port when that was 0.
    private let boundPort = Atomic<Int>(0)
    var advertisedPort: Int {
        configuration.advertisedPort != 0 ? configuration.advertisedPort : boundPort.load(ordering: .relaxed)
    }
    let logger: Logger
    let groups: ClassicGroupCoordinator
    let producers = ProducerSequences()
    private let expiryTimer: SystemTimerSource

    public init(broker: Broker, configuration: Configuration, logger: Logger) {
        self.broker = broker
        self.configuration = configuration
        self.logger = logger
        let timers = SystemTimerSource()
        self.expiryTimer = timers
        self.groups = ClassicGroupCoordinator(timers: timers) { [weak broker] group, members in
            (try? broker?.shard(for: .group(group)))?.groups.setExternalMembers(group: group, members: members)
        }
        scheduleExpiry()
    }

    /// Tells the handler the port its listener bound, advertised when the configuration left it 0.
    public func listening(on port: Int) {
        boundPort.store(port, ordering: .relaxed)
    }

    /// Checks group sessions twice a second, for as long as the handler lives.
    private func scheduleExpiry() {
        expiryTimer.schedule(after: .milliseconds(500)) { [weak self] in
            guard let self else { return }
            groups.expireMembers()
            scheduleExpiry()
        }
    }

    public func handle(header: KafkaRequestHeader, body: KafkaReader, session: KafkaSession, responder: KafkaResponder)
    {
        guard let api = header.api, api.supportedVersions.contains(header.apiVersion) else {
            if header.apiKey == KafkaAPIKey.apiVersions.rawValue {
                // Kafka answers an ApiVersions it cannot read with v0 and UNSUPPORTED_VERSION, so the client
                // retries with a version from the list.
                return send(apiVersions(error: .unsupportedVersion), version: 0, to: responder)
            }
            logger.debug(
                "closing a Kafka connection: unsupported request",
                metadata: ["api_key": "\(header.apiKey)", "version": "\(header.apiVersion)"])
            return responder.close()
        }
        if configuration.authenticator != nil, !Self.openAPIs.contains(api),
            session.state.withLock({ $0.principal == nil })
        {
            logger.debug("closing a Kafka connection: request before SASL authentication")
            return responder.close()
        }
        var reader = body
        do throws(KafkaWireError) {
            try dispatch(api, version: header.apiVersion, &reader, header: header, session: session, responder)
        } catch {
            logger.debug(
                "closing a Kafka connection: malformed request",
                metadata: ["api": "\(api)", "version": "\(header.apiVersion)", "error": "\(error)"])
            responder.close()
        }
    }

    /// APIs a client may call before authenticating.
    static let openAPIs: Set<KafkaAPIKey> = [.apiVersions, .saslHandshake, .saslAuthenticate]

    private func dispatch(
        _ api: KafkaAPIKey, version: Int16, _ reader: inout KafkaReader, header: KafkaRequestHeader,
        session: KafkaSession, _ responder: KafkaResponder
    ) throws(KafkaWireError) {
        switch api {
        case .apiVersions:
            _ = try ApiVersionsRequest.decode(&reader, version: version)
            send(apiVersions(error: .none), version: version, to: responder)
        case .metadata:
            metadata(try MetadataRequest.decode(&reader, version: version), version: version, session, responder)
        case .produce:
            produce(try ProduceRequest.decode(&reader, version: version), version: version, session, responder)
        case .fetch:
            fetch(try FetchRequest.decode(&reader, version: version), version: version, session, responder)
        case .listOffsets:
            listOffsets(try ListOffsetsRequest.decode(&reader, version: version), version: version, session, responder)
        case .findCoordinator:
            findCoordinator(try FindCoordinatorRequest.decode(&reader, version: version), version: version, responder)
        case .joinGroup:
            joinGroup(
                try JoinGroupRequest.decode(&reader, version: version), version: version, header: header, session,
                responder)
        case .syncGroup:
            syncGroup(try SyncGroupRequest.decode(&reader, version: version), version: version, responder)
        case .heartbeat:
            heartbeat(try HeartbeatRequest.decode(&reader, version: version), version: version, responder)
        case .leaveGroup:
            leaveGroup(try LeaveGroupRequest.decode(&reader, version: version), version: version, responder)
        default:
            try dispatchMore(api, version: version, &reader, header: header, session: session, responder)
        }
    }

    /// Encodes `response` as the answer to `responder`'s request.
    func send(_ response: some KafkaResponseBody, version: Int16, to responder: KafkaResponder) {
        var frame = KafkaResponseFrame(correlationID: responder.correlationID)
        response.encode(&frame.writer, version: version)
        responder.respond(frame.finish())
    }

    func apiVersions(error: KafkaErrorCode) -> ApiVersionsResponse {
        ApiVersionsResponse(
            errorCode: error.rawValue,
            apiKeys: KafkaAPIKey.allCases.sorted { $0.rawValue < $1.rawValue }.map {
                .init(
                    apiKey: $0.rawValue, minVersion: $0.supportedVersions.lowerBound,
                    maxVersion: $0.supportedVersions.upperBound)
            })
    }
}

/// A response message the handler can send (every `…Response` of FerryKafkaWire).
protocol KafkaResponseBody {
    func encode(_ writer: inout KafkaWriter, version: Int16)
}

extension ApiVersionsResponse: KafkaResponseBody {}
extension MetadataResponse: KafkaResponseBody {}
extension ProduceResponse: KafkaResponseBody {}
extension FetchResponse: KafkaResponseBody {}
extension ListOffsetsResponse: KafkaResponseBody {}
extension FindCoordinatorResponse: KafkaResponseBody {}
extension JoinGroupResponse: KafkaResponseBody {}
extension SyncGroupResponse: KafkaResponseBody {}
extension HeartbeatResponse: KafkaResponseBody {}
extension LeaveGroupResponse: KafkaResponseBody {}
