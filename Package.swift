// swift-tools-version: 6.2
// Ferry: a Kafka-style messaging system over plain HTTP/1.1 + JSON.
//
// Dependency rule (see README "Layout"): FerryLog and FerryHTTP never import each other or the broker;
// both may use FerrySystem (FerryHTTP also the leaf FerryJSON). FerryBroker imports FerryLog (and FerrySystem, for timers)
// only.
// FerryWebhooks (one POST done safely, behind the WebhookTransport protocol) knows neither the broker nor libcurl.
// FerryDelivery (the delivery engine) knows the broker and FerryWebhooks, never HTTP serving or libcurl.
// FerryAPI is the only module that knows both HTTP serving and the broker; it never links libcurl.
// FerryServer is the composition root (broker + API + HTTP server + delivery over libcurl); FerryCommand is the
// `ferry` executable around it.
import PackageDescription

/// One settings array for every target of ours: Swift 6 language mode (strict concurrency) and no warnings.
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0335-existential-any.md
    .enableUpcomingFeature("ExistentialAny"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0444-member-import-visibility.md
    .enableUpcomingFeature("MemberImportVisibility"),
    // https://github.com/swiftlang/swift-evolution/blob/main/proposals/0480-warning-control.md
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "Ferry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ferry", targets: ["FerryCommand"]),
        .executable(name: "ferry-bench-log", targets: ["FerryLogBenchmark"]),
        .executable(name: "ferry-bench-http", targets: ["FerryHTTPBenchmarkServer"]),
        .executable(name: "ferry-bench-json", targets: ["FerryJSONBenchmark"]),
        .executable(name: "ferry-bench-kafka", targets: ["FerryKafkaBenchmark"]),
        .executable(name: "ferry-bench-queue", targets: ["FerryQueueBenchmark"]),
        .executable(name: "ferry-bench-webhook-receiver", targets: ["FerryWebhookReceiver"]),
        .library(name: "FerryLog", targets: ["FerryLog"]),
        .library(name: "FerryHTTP", targets: ["FerryHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // MARK: C shims
        .target(name: "CFerryLinux", path: "Sources/CFerryLinux"),
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CRdkafka",
            path: "Sources/CRdkafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // What Swift cannot call in librdkafka (variadics, a union-filled produce argument list).
        .target(name: "CRdkafkaShim", dependencies: ["CRdkafka"], path: "Sources/CRdkafkaShim"),

        // MARK: Libraries
        .target(name: "FerrySystem", dependencies: ["CFerryLinux"], swiftSettings: strictSettings),
        .target(name: "FerryLog", dependencies: ["FerrySystem"], swiftSettings: strictSettings),
        .target(
            name: "FerryHTTP",
            dependencies: ["FerrySystem", "FerryJSON", "CFerryLinux", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .target(name: "FerryCurl", dependencies: ["CCurl", "FerrySystem"], swiftSettings: strictSettings),
        .target(name: "FerryJSON", swiftSettings: strictSettings),
        // A Swift wrapper over librdkafka (producer, partition reader, admin, mock cluster) for the Kafka engine.
        .target(
            name: "FerryKafka", dependencies: ["CRdkafka", "CRdkafkaShim", "FerrySystem"], swiftSettings: strictSettings
        ),
        // The Kafka wire protocol: primitives, request/response messages, record batches v2. No broker below it, so
        // it can be fuzzed alone.
        .target(name: "FerryKafkaWire", dependencies: ["FerrySystem", "CZlib"], swiftSettings: strictSettings),
        // Ferry's Kafka-protocol door (`--kafka-port`): epoll listener threads, and the handler that answers
        // Kafka clients from the broker (same topics, offsets and groups as the HTTP API).
        .target(
            name: "FerryKafkaListener",
            dependencies: [
                "CFerryLinux", "FerryBroker", "FerryKafkaWire", "FerrySystem",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The Kafka storage engine: the broker's StorageEngine over a Kafka cluster (`--storage kafka`).
        .target(
            name: "FerryKafkaStorage",
            dependencies: [
                "FerryBroker", "FerryJSON", "FerryKafka", "FerrySystem",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The one swift-log handler: logfmt or JSON lines.
        .target(
            name: "FerryLogging",
            dependencies: ["FerryJSON", "FerrySystem", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "FerryBroker",
            dependencies: ["FerryLog", "FerrySystem", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // Pushing one batch to one URL safely: Standard Webhooks signing, target policy, backoff, the outcome of an
        // attempt, and the WebhookTransport protocol that sends it. No broker and no libcurl below it, so FerryAPI
        // can validate URLs and secrets with it without linking either.
        .target(
            name: "FerryWebhooks",
            dependencies: ["FerryJSON", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // API.md's message JSON, written straight from stored messages: shared by REST responses (FerryAPI) and
        // webhook bodies (FerryDelivery), so neither has to depend on the other.
        .target(name: "FerryMessageJSON", dependencies: ["FerryBroker", "FerryJSON"], swiftSettings: strictSettings),
        // The webhook delivery engine (WebhookDispatcher, one SubscriptionRunner per subscription, metrics):
        // broker cursors, retry/backoff on an injected TimerSource, dead-letter, pause. A module of its own rather
        // than part of FerryWebhooks: it needs the broker, and FerryAPI (which uses FerryWebhooks) must not link
        // the engine. Sends through `any WebhookTransport`; the libcurl one is plugged in by FerryServer.
        .target(
            name: "FerryDelivery",
            dependencies: [
                "FerryBroker", "FerryJSON", "FerryMessageJSON", "FerrySystem", "FerryWebhooks",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "FerryAPI",
            dependencies: [
                "FerryBroker", "FerryHTTP", "FerryJSON", "FerryMessageJSON", "FerryWebhooks", "FerrySystem",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            exclude: ["Console/Assets"],  // embedded by scripts/embed-console into ConsoleAssets.generated.swift
            swiftSettings: strictSettings
        ),
        // The composition root: storage → broker → REST API → HTTP server, plus webhook delivery over libcurl
        // (CurlWebhookTransport, the only place FerryWebhooks meets FerryCurl). A library, not part of
        // FerryCommand, because FerryAPITesting and the integration tests start servers in process.
        .target(
            name: "FerryServer",
            dependencies: [
                "FerryAPI", "FerryBroker", "FerryCurl", "FerryDelivery", "FerryHTTP", "FerryKafkaListener",
                "FerrySystem",
                "FerryWebhooks",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Executables
        .executableTarget(
            name: "FerryCommand",
            dependencies: [
                "CFerryLinux", "FerrySystem", "FerryLog", "FerryHTTP", "FerryCurl", "FerryJSON", "FerryBroker",
                "FerryAPI", "FerryDelivery", "FerryServer", "FerryLogging", "FerryKafka", "FerryKafkaStorage",
                "FerryKafkaListener",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FerryLogBenchmark",
            dependencies: ["FerryLog", "FerrySystem", "FerryTesting"],
            path: "Benchmarks/FerryLogBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FerryHTTPBenchmarkServer",
            dependencies: ["FerryHTTP", "FerrySystem", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/FerryHTTPBenchmarkServer",
            swiftSettings: strictSettings
        ),

        .executableTarget(
            name: "FerryQueueBenchmark",
            dependencies: ["FerrySystem", "FerryTesting"],
            path: "Benchmarks/FerryQueueBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FerryWebhookReceiver",
            dependencies: ["FerryHTTP", "FerrySystem", .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/FerryWebhookReceiver",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FerryKafkaBenchmark",
            dependencies: ["FerryKafka", "FerrySystem"],
            path: "Benchmarks/FerryKafkaBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "FerryJSONBenchmark",
            dependencies: ["FerryJSON"],
            path: "Benchmarks/FerryJSONBenchmark",
            swiftSettings: strictSettings
        ),

        // MARK: Test support (test targets and benchmarks only; never linked into `ferry`)
        // One home for what test targets used to copy: raw loopback connections, temp dirs, a manual clock, a
        // seeded generator, an HTTP receiver, the in-process request runner. No broker below it, so FerryHTTPTests,
        // FerryLogTests and the benchmarks stay clear of FerryAPI.
        .target(
            name: "FerryTesting",
            dependencies: ["FerryHTTP", "FerrySystem", "CFerryLinux", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // A FerryServer under test, reached in process or over a socket through the same APIClient; uses Testing.
        .target(
            name: "FerryAPITesting",
            dependencies: [
                "FerryTesting", "FerryAPI", "FerryServer", "FerryDelivery", "FerryBroker", "FerryLog", "FerryHTTP",
                "FerryCurl", "FerryKafka", "FerryKafkaStorage",
                "FerryJSON", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: Tests
        // The appender process FerryLogTests' crash test SIGKILLs (built with the tests, found beside them).
        .executableTarget(
            name: "FerryLogCrashChild",
            dependencies: ["FerryLog", "FerrySystem"],
            path: "Tests/FerryLogCrashChild",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FerrySystemTests", dependencies: ["FerrySystem", "FerryTesting"], swiftSettings: strictSettings),
        .testTarget(
            name: "FerryLogTests", dependencies: ["FerryLog", "FerrySystem", "FerryTesting"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "FerryHTTPTests",
            dependencies: [
                "FerryHTTP", "FerrySystem", "FerryTesting", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FerryCurlTests", dependencies: ["FerryCurl", "FerryHTTP", "FerryTesting"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "FerryKafkaTests", dependencies: ["FerryKafka", "FerrySystem"], swiftSettings: strictSettings),
        .testTarget(
            name: "FerryKafkaWireTests", dependencies: ["FerryKafkaWire", "FerryTesting"], swiftSettings: strictSettings
        ),
        // The Kafka-protocol listener: the classic group state machine on a manual timer source, and a real
        // FerryServer in process spoken to over raw TCP with frames from FerryKafkaWire.
        .testTarget(
            name: "FerryKafkaListenerTests",
            dependencies: [
                "FerryKafkaListener", "FerryKafkaWire", "FerryBroker", "FerryServer", "FerryAPI", "FerryAPITesting",
                "FerryTesting", "FerrySystem", "FerryJSON", "FerryLog",
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FerryKafkaStorageTests",
            dependencies: [
                "FerryKafkaStorage", "FerryKafka", "FerryAPITesting", "FerryTesting", "FerryServer", "FerryJSON",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FerryJSONTests", dependencies: ["FerryJSON", "FerryTesting"], swiftSettings: strictSettings),
        .testTarget(
            name: "FerryLoggingTests",
            dependencies: ["FerryLogging", "FerryJSON", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FerryWebhooksTests",
            dependencies: ["FerryWebhooks", "FerryTesting", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // The delivery engine over a real broker in a temp dir, an in-process transport and a manual timer source.
        .testTarget(
            name: "FerryDeliveryTests",
            dependencies: [
                "FerryDelivery", "FerryBroker", "FerryLog", "FerryWebhooks", "FerryTesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The libcurl webhook transport against a local receiver.
        .testTarget(
            name: "FerryServerTests",
            dependencies: ["FerryServer", "FerryCurl", "FerryHTTP", "FerryWebhooks", "FerryTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FerryBrokerTests", dependencies: ["FerryBroker", "FerryLog", "FerrySystem", "FerryTesting"],
            swiftSettings: strictSettings),
        // API handlers run in process (and a few both ways) against a real FerryServer over a temp data dir.
        .testTarget(
            name: "FerryAPITests",
            dependencies: [
                "FerryAPITesting", "FerryTesting", "FerryAPI", "FerryServer", "FerryHTTP", "FerryJSON", "FerryLog",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FerryIntegrationTests",
            dependencies: [
                "FerryAPI", "FerryServer", "FerryDelivery", "FerryBroker", "FerryLog", "FerryCurl", "FerryJSON",
                "FerryMessageJSON",
                "FerryHTTP", "FerrySystem", "CFerryLinux", "FerryTesting", "FerryAPITesting",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)

// libFuzzer target for the HTTP parser: only with FERRY_FUZZ=1, so a normal build never links a main-less binary.
// FERRY_FUZZ=1 swift build -c debug -Xswiftc -sanitize=fuzzer,address --product FerryHTTPParserFuzzer
if Context.environment["FERRY_FUZZ"] == "1" {
    package.targets.append(.target(name: "CFerryFuzz", path: "Fuzz/CFerryFuzz"))
    package.targets.append(
        .executableTarget(
            name: "FerryHTTPParserFuzzer",
            dependencies: ["FerryHTTP", "CFerryFuzz"],
            path: "Fuzz/FerryHTTPParserFuzzer",
            swiftSettings: strictSettings
        )
    )
    package.products.append(.executable(name: "FerryHTTPParserFuzzer", targets: ["FerryHTTPParserFuzzer"]))
    // FERRY_FUZZ=1 swift build -c debug -Xswiftc -sanitize=fuzzer,address --product FerryKafkaFrameFuzzer
    package.targets.append(
        .executableTarget(
            name: "FerryKafkaFrameFuzzer",
            dependencies: ["FerryKafkaWire", "CFerryFuzz"],
            path: "Fuzz/FerryKafkaFrameFuzzer",
            swiftSettings: strictSettings
        )
    )
    package.products.append(.executable(name: "FerryKafkaFrameFuzzer", targets: ["FerryKafkaFrameFuzzer"]))
}
