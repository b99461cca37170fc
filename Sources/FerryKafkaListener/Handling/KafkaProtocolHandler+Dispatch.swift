import FerryBroker
import FerryKafkaWire
import Synchronization

extension KafkaProtocolHandler {
    /// The APIs beyond produce, fetch and group membership.
    func dispatchMore(
        _ api: KafkaAPIKey, version: Int16, _ reader: inout KafkaReader, header: KafkaRequestHeader,
        session: KafkaSession, _ responder: KafkaResponder
    ) throws(KafkaWireError) {
        switch api {
        case .offsetCommit:
            offsetCommit(
                try OffsetCommitRequest.decode(&reader, version: version), version: version, session, responder)
        case .offsetFetch:
            offsetFetch(try OffsetFetchRequest.decode(&reader, version: version), version: version, session, responder)
        case .initProducerId:
            let request = try InitProducerIdRequest.decode(&reader, version: version)
            // Idempotence yes; transactions no (no transaction coordinator here).
            let response =
                request.transactionalID == nil
                ? InitProducerIdResponse(producerID: producers.newProducerID(), producerEpoch: 0)
                : InitProducerIdResponse(errorCode: KafkaErrorCode.transactionalIDAuthorizationFailed.rawValue)
            send(response, version: version, to: responder)
        case .createTopics:
            createTopics(
                try CreateTopicsRequest.decode(&reader, version: version), version: version, session, responder)
        case .deleteTopics:
            deleteTopics(
                try DeleteTopicsRequest.decode(&reader, version: version), version: version, session, responder)
        case .createPartitions:
            createPartitions(
                try CreatePartitionsRequest.decode(&reader, version: version), version: version, session, responder)
        case .describeGroups:
            describeGroups(try DescribeGroupsRequest.decode(&reader, version: version), version: version, responder)
        case .listGroups:
            _ = try ListGroupsRequest.decode(&reader, version: version)
            listGroups(version: version, responder)
        case .saslHandshake:
            saslHandshake(
                try SaslHandshakeRequest.decode(&reader, version: version), version: version, session, responder)
        case .saslAuthenticate:
            saslAuthenticate(
                try SaslAuthenticateRequest.decode(&reader, version: version), version: version, session, responder)
        default:
            responder.close()
        }
    }

    func describeGroups(_ request: DescribeGroupsRequest, version: Int16, _ responder: KafkaResponder) {
        let described = request.groups.map { name -> DescribeGroupsResponse.Group in
            if let description = groups.describe(group: name) {
                return DescribeGroupsResponse.Group(
                    groupID: name, groupState: description.phase, protocolType: description.protocolType,
                    protocolData: description.protocolName,
                    members: description.members.map {
                        .init(
                            memberID: $0.id, groupInstanceID: $0.groupInstanceID, clientID: $0.clientID,
                            clientHost: $0.clientHost, memberMetadata: $0.metadata, memberAssignment: $0.assignment)
                    })
            }
            // Known only to the broker (HTTP members, or offsets alone): Kafka's "Empty" / "Dead".
            let exists = (try? broker.shard(for: .group(name)).groups.describe(group: name)) != nil
            return DescribeGroupsResponse.Group(
                groupID: name, groupState: exists ? "Empty" : "Dead", protocolType: exists ? "consumer" : "",
                protocolData: "", members: [])
        }
        send(DescribeGroupsResponse(groups: described), version: version, to: responder)
    }

    func listGroups(version: Int16, _ responder: KafkaResponder) {
        var seen: [String: String] = [:]
        for shard in broker.localShards {
            for summary in shard.groups.list() { seen[summary.group] = "consumer" }
        }
        for (name, type) in groups.activeGroups() { seen[name] = type }
        let list = seen.keys.sorted().map { ListGroupsResponse.Group(groupID: $0, protocolType: seen[$0] ?? "") }
        send(ListGroupsResponse(groups: list), version: version, to: responder)
    }
}

extension OffsetCommitResponse: KafkaResponseBody {}
extension OffsetFetchResponse: KafkaResponseBody {}
extension InitProducerIdResponse: KafkaResponseBody {}
extension CreateTopicsResponse: KafkaResponseBody {}
extension DeleteTopicsResponse: KafkaResponseBody {}
extension CreatePartitionsResponse: KafkaResponseBody {}
extension DescribeGroupsResponse: KafkaResponseBody {}
extension ListGroupsResponse: KafkaResponseBody {}
extension SaslHandshakeResponse: KafkaResponseBody {}
extension SaslAuthenticateResponse: KafkaResponseBody {}
