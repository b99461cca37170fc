import FerryKafkaWire

/// One request and one response per API at a given version, every field present in that version set to a
/// non-default value and every absent field left at its default (so encode → decode gives back the same value).
enum MessageSamples {
    static func request(_ api: KafkaAPIKey, version v: Int16) -> any WireMessage {
        /// `value` when the field exists at this version (`since`+), else the decoder's default.
        func at<T>(_ since: Int16, _ value: T, else fallback: T) -> T { v >= since ? value : fallback }
        switch api {
        case .apiVersions:
            return ApiVersionsRequest(
                clientSoftwareName: at(3, "librdkafka", else: ""), clientSoftwareVersion: at(3, "2.0.2", else: ""))
        case .metadata:
            return MetadataRequest(
                topics: ["orders", "audit"], allowAutoTopicCreation: at(4, false, else: true),
                includeClusterAuthorizedOperations: at(8, true, else: false),
                includeTopicAuthorizedOperations: at(8, true, else: false))
        case .produce:
            return ProduceRequest(
                transactionalID: "tx-1", acks: -1, timeoutMs: 30000,
                topics: [
                    .init(
                        name: "orders",
                        partitions: [.init(index: 0, records: [1, 2, 3]), .init(index: 1, records: nil)]),
                    .init(name: "audit", partitions: []),
                ])
        case .fetch:
            return FetchRequest(
                replicaID: -1, maxWaitMs: 500, minBytes: 1, maxBytes: at(3, 1 << 20, else: 0x7fff_ffff),
                isolationLevel: at(4, 1, else: 0), sessionID: at(7, 11, else: 0), sessionEpoch: at(7, 2, else: -1),
                topics: [
                    .init(
                        topic: "orders",
                        partitions: [
                            .init(
                                partition: 0, currentLeaderEpoch: at(9, 4, else: -1), fetchOffset: 100,
                                logStartOffset: at(5, 7, else: -1), partitionMaxBytes: 65536)
                        ])
                ],
                forgottenTopicsData: at(7, [.init(topic: "old", partitions: [1, 2])], else: []),
                rackID: at(11, "rack-a", else: ""))
        case .listOffsets:
            return ListOffsetsRequest(
                replicaID: -1, isolationLevel: at(2, 1, else: 0),
                topics: [
                    .init(
                        name: "orders",
                        partitions: [.init(partitionIndex: 0, currentLeaderEpoch: at(4, 2, else: -1), timestamp: -2)])
                ])
        case .findCoordinator:
            return FindCoordinatorRequest(key: "billing", keyType: at(1, 1, else: 0))
        case .joinGroup:
            return JoinGroupRequest(
                groupID: "billing", sessionTimeoutMs: 10000, rebalanceTimeoutMs: at(1, 300_000, else: -1),
                memberID: "", groupInstanceID: at(5, "static-1", else: nil), protocolType: "consumer",
                protocols: [.init(name: "range", metadata: [0, 1, 2]), .init(name: "roundrobin", metadata: [])])
        case .syncGroup:
            return SyncGroupRequest(
                groupID: "billing", generationID: 3, memberID: "m-1", groupInstanceID: at(3, "static-1", else: nil),
                assignments: [.init(memberID: "m-1", assignment: [9, 9]), .init(memberID: "m-2", assignment: [])])
        case .heartbeat:
            return HeartbeatRequest(
                groupID: "billing", generationID: 3, memberID: "m-1", groupInstanceID: at(3, "static-1", else: nil))
        case .leaveGroup:
            return v <= 2
                ? LeaveGroupRequest(groupID: "billing", memberID: "m-1")
                : LeaveGroupRequest(
                    groupID: "billing",
                    members: [.init(memberID: "m-1", groupInstanceID: "s-1"), .init(memberID: "m-2")])
        case .offsetCommit:
            return OffsetCommitRequest(
                groupID: "billing", generationIDOrMemberEpoch: 3, memberID: "m-1",
                groupInstanceID: at(7, "static-1", else: nil),
                retentionTimeMs: (2...4).contains(v) ? 86_400_000 : -1,
                topics: [
                    .init(
                        name: "orders",
                        partitions: [
                            .init(
                                partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: at(6, 1, else: -1),
                                committedMetadata: "meta"),
                            .init(partitionIndex: 1, committedOffset: 7, committedMetadata: nil),
                        ])
                ])
        case .offsetFetch:
            return OffsetFetchRequest(groupID: "billing", topics: [.init(name: "orders", partitionIndexes: [0, 1, 2])])
        case .describeGroups:
            return DescribeGroupsRequest(
                groups: ["billing", "audit"], includeAuthorizedOperations: at(3, true, else: false))
        case .listGroups:
            return ListGroupsRequest()
        case .saslHandshake:
            return SaslHandshakeRequest(mechanism: "PLAIN")
        case .saslAuthenticate:
            return SaslAuthenticateRequest(authBytes: [0] + Array("user".utf8) + [0] + Array("secret".utf8))
        case .createTopics:
            return CreateTopicsRequest(
                topics: [
                    .init(
                        name: "orders", numPartitions: 3, replicationFactor: 1,
                        configs: [
                            .init(name: "retention.ms", value: "1000"), .init(name: "cleanup.policy", value: nil),
                        ]),
                    .init(
                        name: "manual", numPartitions: -1, replicationFactor: -1,
                        assignments: [
                            .init(partitionIndex: 0, brokerIDs: [1, 2]), .init(partitionIndex: 1, brokerIDs: [2, 3]),
                        ]),
                ],
                timeoutMs: 5000, validateOnly: at(1, true, else: false))
        case .deleteTopics:
            return DeleteTopicsRequest(topicNames: ["orders", "audit"], timeoutMs: 5000)
        case .initProducerId:
            return InitProducerIdRequest(transactionalID: "tx-1", transactionTimeoutMs: 60000)
        case .createPartitions:
            return CreatePartitionsRequest(
                topics: [
                    .init(name: "orders", count: 6),
                    .init(name: "audit", count: 3, assignments: [.init(brokerIDs: [1, 2])]),
                ],
                timeoutMs: 5000, validateOnly: true)
        }
    }

    static func response(_ api: KafkaAPIKey, version v: Int16) -> any WireMessage {
        func at<T>(_ since: Int16, _ value: T, else fallback: T) -> T { v >= since ? value : fallback }
        switch api {
        case .apiVersions:
            return ApiVersionsResponse(
                errorCode: 0,
                apiKeys: KafkaAPIKey.allCases.map {
                    .init(
                        apiKey: $0.rawValue, minVersion: $0.supportedVersions.lowerBound,
                        maxVersion: $0.supportedVersions.upperBound)
                },
                throttleTimeMs: at(1, 7, else: 0))
        case .metadata:
            return MetadataResponse(
                throttleTimeMs: at(3, 5, else: 0),
                brokers: [
                    .init(nodeID: 1, host: "localhost", port: 9092, rack: at(1, "r1", else: nil)),
                    .init(nodeID: 2, host: "broker-2", port: 9093),
                ],
                clusterID: at(2, "ferry", else: nil), controllerID: at(1, 1, else: -1),
                topics: [
                    .init(
                        name: "orders",
                        partitions: [
                            .init(
                                partitionIndex: 0, leaderID: 1, leaderEpoch: at(7, 3, else: -1), replicaNodes: [1, 2],
                                isrNodes: [1], offlineReplicas: at(5, [2], else: []))
                        ],
                        topicAuthorizedOperations: at(8, 0x1f, else: Int32.min)),
                    .init(errorCode: 3, name: "missing", isInternal: at(1, true, else: false), partitions: []),
                ],
                clusterAuthorizedOperations: at(8, 7, else: Int32.min))
        case .produce:
            return ProduceResponse(
                responses: [
                    .init(
                        name: "orders",
                        partitionResponses: [
                            .init(
                                index: 0, errorCode: 0, baseOffset: 42, logAppendTimeMs: at(2, 1234, else: -1),
                                logStartOffset: at(5, 0, else: -1),
                                recordErrors: at(
                                    8, [.init(batchIndex: 2, batchIndexErrorMessage: "bad"), .init(batchIndex: 3)],
                                    else: []),
                                errorMessage: at(8, "dropped", else: nil)),
                            .init(index: 1, errorCode: 6, baseOffset: -1),
                        ])
                ],
                throttleTimeMs: at(1, 9, else: 0))
        case .fetch:
            return FetchResponse(
                throttleTimeMs: at(1, 3, else: 0), errorCode: 0, sessionID: at(7, 11, else: 0),
                responses: [
                    .init(
                        topic: "orders",
                        partitions: [
                            .init(
                                partitionIndex: 0, highWatermark: 200, lastStableOffset: at(4, 150, else: -1),
                                logStartOffset: at(5, 10, else: -1),
                                abortedTransactions: at(4, [.init(producerID: 5, firstOffset: 120)], else: nil),
                                preferredReadReplica: at(11, 2, else: -1), records: [9, 8, 7]),
                            .init(partitionIndex: 1, errorCode: 1, highWatermark: -1, records: nil),
                        ])
                ])
        case .listOffsets:
            return ListOffsetsResponse(
                throttleTimeMs: at(2, 4, else: 0),
                topics: [
                    .init(
                        name: "orders",
                        partitions: [
                            .init(partitionIndex: 0, timestamp: 1000, offset: 42, leaderEpoch: at(4, 2, else: -1)),
                            .init(partitionIndex: 9, errorCode: 3),
                        ])
                ])
        case .findCoordinator:
            return FindCoordinatorResponse(
                throttleTimeMs: at(1, 1, else: 0), errorCode: 0, errorMessage: at(1, "fine", else: nil), nodeID: 1,
                host: "localhost", port: 9092)
        case .joinGroup:
            return JoinGroupResponse(
                throttleTimeMs: at(2, 1, else: 0), errorCode: 0, generationID: 1, protocolName: "range", leader: "m-1",
                memberID: "m-1",
                members: [
                    .init(memberID: "m-1", groupInstanceID: at(5, "static-1", else: nil), metadata: [0, 1]),
                    .init(memberID: "m-2", metadata: []),
                ])
        case .syncGroup:
            return SyncGroupResponse(throttleTimeMs: at(1, 1, else: 0), errorCode: 0, assignment: [0, 1, 2])
        case .heartbeat:
            return HeartbeatResponse(throttleTimeMs: at(1, 1, else: 0), errorCode: 27)
        case .leaveGroup:
            return LeaveGroupResponse(
                throttleTimeMs: at(1, 1, else: 0), errorCode: 0,
                members: at(
                    3, [.init(memberID: "m-1", groupInstanceID: "s-1"), .init(memberID: "m-2", errorCode: 25)], else: []
                ))
        case .offsetCommit:
            return OffsetCommitResponse(
                throttleTimeMs: at(3, 1, else: 0),
                topics: [
                    .init(
                        name: "orders", partitions: [.init(partitionIndex: 0), .init(partitionIndex: 1, errorCode: 27)])
                ])
        case .offsetFetch:
            return OffsetFetchResponse(
                throttleTimeMs: at(3, 2, else: 0),
                topics: [
                    .init(
                        name: "orders",
                        partitions: [
                            .init(
                                partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: at(5, 1, else: -1),
                                metadata: ""),
                            .init(partitionIndex: 1, committedOffset: -1, metadata: nil, errorCode: 3),
                        ])
                ],
                errorCode: at(2, 14, else: 0))
        case .describeGroups:
            return DescribeGroupsResponse(
                throttleTimeMs: at(1, 1, else: 0),
                groups: [
                    .init(
                        groupID: "billing", groupState: "Stable", protocolType: "consumer", protocolData: "range",
                        members: [
                            .init(
                                memberID: "m-1", groupInstanceID: at(4, "static-1", else: nil), clientID: "client",
                                clientHost: "/127.0.0.1", memberMetadata: [1], memberAssignment: [2, 3])
                        ],
                        authorizedOperations: at(3, 0, else: Int32.min)),
                    .init(
                        errorCode: 69, groupID: "gone", groupState: "Dead", protocolType: "", protocolData: "",
                        members: []),
                ])
        case .listGroups:
            return ListGroupsResponse(
                throttleTimeMs: at(1, 1, else: 0), errorCode: 0,
                groups: [.init(groupID: "billing", protocolType: "consumer"), .init(groupID: "raw", protocolType: "")])
        case .saslHandshake:
            return SaslHandshakeResponse(errorCode: 0, mechanisms: ["PLAIN", "SCRAM-SHA-256"])
        case .saslAuthenticate:
            return SaslAuthenticateResponse(
                errorCode: 58, errorMessage: "bad password", authBytes: [1],
                sessionLifetimeMs: at(1, 3_600_000, else: 0))
        case .createTopics:
            return CreateTopicsResponse(
                throttleTimeMs: at(2, 1, else: 0),
                topics: [
                    .init(name: "orders"), .init(name: "dup", errorCode: 36, errorMessage: at(1, "exists", else: nil)),
                ])
        case .deleteTopics:
            return DeleteTopicsResponse(
                throttleTimeMs: at(1, 1, else: 0),
                responses: [.init(name: "orders"), .init(name: "audit", errorCode: 3)])
        case .initProducerId:
            return InitProducerIdResponse(throttleTimeMs: 0, errorCode: 0, producerID: 1000, producerEpoch: 2)
        case .createPartitions:
            return CreatePartitionsResponse(
                throttleTimeMs: 1,
                results: [.init(name: "orders"), .init(name: "audit", errorCode: 37, errorMessage: "too few")])
        }
    }
}
