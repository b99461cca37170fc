import FerryAPITesting
import FerryJSON
import FerrySystem
import FerryTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `ferry serve` configuration and logs, on the real binary: bad values stop start-up with one line, every
/// flag has a `FERRY_*` variable in `--help`, and the log lines (logfmt / JSON) carry the start-up report and
/// the access-log fields.
struct ServeCommandTests {
    @Test func badFlagOrEnvironmentValue_StopsStartUp_WithOneLineAndNonZeroExit() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let badAuth = directory.path + "/bad.json"
        try FileSystem.writeAtomically(
            badAuth, Array(#"{"tokens":[{"name":"a","token":"secret-x"}]}"#.utf8), durable: false)
        let data = ["--data-dir", directory.path + "/data", "--port", "0"]
        let cases: [(arguments: [String], environment: [String: String], mentions: String)] = [
            (["serve", "--data-dir", directory.path + "/data"], ["FERRY_PORT": "abc"], "FERRY_PORT"),
            (["serve", "--fsync", "sometimes"] + data, [:], "sometimes"),
            (["serve"] + data, ["FERRY_FSYNC": "sometimes"], "FERRY_FSYNC"),
            (["serve", "--port", "70000", "--data-dir", directory.path + "/data"], [:], "--port"),
            (["serve", "--max-connections", "many"] + data, [:], "many"),
            (["serve"] + data, ["FERRY_LOG_FORMAT": "xml"], "FERRY_LOG_FORMAT"),
            (["serve"] + data, ["FERRY_AUTO_CREATE_TOPICS": "maybe"], "FERRY_AUTO_CREATE_TOPICS"),
            (["serve", "--auth-file", directory.path + "/missing.json"] + data, [:], "missing.json"),
            (["serve"] + data, ["FERRY_AUTH_FILE": badAuth], "rights"),
            (["serve", "--unknown-flag"] + data, [:], "--unknown-flag"),
        ]
        for (arguments, environment, mentions) in cases {
            let result = try await CLIRunner.run(arguments, environment: environment, timeout: .seconds(30))
            let context = "\(arguments) \(environment): \(result)"
            #expect(result.exitCode != nil && result.exitCode != 0, "\(context)")
            #expect(result.standardError.hasSuffix("\n"), "\(context)")
            let lines = result.standardError.split(separator: "\n")
            #expect(lines.count == 1, "\(context)")
            #expect(lines.first?.hasPrefix("ferry: ") == true, "\(context)")
            #expect(result.standardError.contains(mentions), "\(context)")
            #expect(!result.standardError.contains("secret-x"), "\(context)")
        }
    }

    @Test func serveHelp_DocumentsAnEnvironmentVariableForEveryFlag() async throws {
        let result = try await CLIRunner.run(["serve", "--help"])
        #expect(result.exitCode == 0, "\(result)")
        let help = result.standardOutput
        var flags: [String] = []
        for word in help.split(whereSeparator: { " \n/,()<>".contains($0) }) where word.hasPrefix("--") {
            let flag = String(word.dropFirst(2))
            if flag.isEmpty || flag.hasPrefix("no-") || ["help", "version"].contains(flag) || flags.contains(flag) {
                continue
            }
            guard flag.first?.isLetter == true else { continue }
            flags.append(flag)
        }
        // The flags API.md lists, plus ours.
        for expected in [
            "host", "port", "data-dir", "fsync", "fsync-interval-ms", "auto-create-topics", "max-body-bytes",
            "max-connections", "header-timeout-ms", "idle-timeout-ms", "retention-check-interval-ms",
            "auth-file", "log-level", "log-format",
        ] {
            #expect(flags.contains(expected), "--\(expected) missing from help")
        }
        for flag in flags {
            let variable = "FERRY_" + flag.uppercased().replacingDashes()
            #expect(help.contains(variable), "--\(flag) documents no \(variable)")
        }
    }

    @Test func jsonLogs_CarryStartUpReportAndAccessLogFields_OneObjectPerLine() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = directory.path + "/server.log"
        let child = try await ChildServer.start(
            dataDirectory: directory.path + "/data", logPath: log,
            arguments: ["--log-format", "json", "--log-level", "debug", "--fsync", "always"])
        let response = try await child.client.get("/v1/topics/nope", headers: [("X-Request-Id", "rid-42")])
        #expect(response.status == 404)
        #expect(child.kill(SIGTERM) == 0)
        let lines = ChildServer.readLog(log).split(separator: "\n").map(String.init)
        var records: [JSONValue] = []
        for line in lines {
            let record = try? JSONValue.parse(line)
            #expect(record?.isObject == true, "not a JSON object: \(line)")
            if let record { records.append(record) }
        }
        let starting = try #require(records.first { $0["msg"].str == "ferry starting" })
        #expect(starting["version"].str?.isEmpty == false)
        #expect(starting["data_dir"].str == directory.path + "/data")
        #expect(starting["fsync"].str == "always")
        let recovery = try #require(records.first { $0["msg"].str == "recovered data directory" })
        for key in ["segments", "segments_checked", "truncated_bytes", "partitions"] {
            #expect(recovery[key].str != nil, "recovery report lacks \(key)")
        }
        let listening = try #require(records.first { $0["msg"].str?.hasPrefix("ferry listening on http://") == true })
        #expect(listening["port"].str == String(child.port))
        let access = try #require(records.first { $0["msg"].str == "request" && $0["request_id"].str == "rid-42" })
        #expect(access["method"].str == "GET")
        #expect(access["route"].str == "/v1/topics/{topic}")
        #expect(access["status"].str == "404")
        #expect(access["bytes_in"].str == "0")
        #expect(Int(access["bytes_out"].str ?? "") ?? 0 > 0)
        #expect(access["duration_ms"].str.flatMap { Double($0) } != nil)
        for record in records { #expect(record["ts"].str?.hasSuffix("Z") == true && record["level"].str != nil) }
    }
}

extension String {
    func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
