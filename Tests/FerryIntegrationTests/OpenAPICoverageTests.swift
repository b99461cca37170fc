import FerryAPI
import FerryAPITesting
import FerryHTTP
import FerryServer
import FerrySystem
import Testing

/// The router and openapi.yaml describe the same API: every route is in the spec, and every spec operation of
/// the implemented sections is routed.
struct OpenAPICoverageTests {
    /// One operation, with path parameters normalized to `{}` (the spec may name them differently).
    struct Operation: Hashable, Comparable, CustomStringConvertible {
        let method: String
        let path: String

        init(_ method: String, _ path: String) {
            self.method = method.uppercased()
            self.path = Self.normalize(path)
        }

        static func normalize(_ path: String) -> String {
            var out = ""
            var inParameter = false
            for character in path {
                if character == "{" {
                    inParameter = true
                    out += "{}"
                } else if character == "}" {
                    inParameter = false
                } else if !inParameter {
                    out.append(character)
                }
            }
            return out
        }

        var description: String { "\(method) \(path)" }
        static func < (a: Operation, b: Operation) -> Bool { (a.path, a.method) < (b.path, b.method) }
    }

    /// Specified in openapi.yaml, not routed yet (none: every operation is routed). Exact: an entry that
    /// becomes routed must be removed from here (the test fails until it is).
    static let knownMissing: Set<Operation> = []

    /// The repository's openapi.yaml (found from this file's path: Tests/FerryIntegrationTests/<file>).
    static var specPath: String {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        return components.joined(separator: "/") + "/openapi.yaml"
    }

    /// The operations under `paths:` (a line-based reader for the spec's block style: two-space path keys,
    /// four-space method keys; stops at the next top-level key).
    static func specOperations(_ text: String) -> Set<Operation> {
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        var operations = Set<Operation>()
        var inPaths = false
        var currentPath: String?
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if let first = line.first, first != " ", first != "#" {
                inPaths = line.hasPrefix("paths:")
                currentPath = nil
                continue
            }
            guard inPaths else { continue }
            let isPathKey = line.hasPrefix("  /") || line.hasPrefix("  \"/") || line.hasPrefix("  '/")
            if isPathKey, let colon = line.lastIndex(of: ":") {
                currentPath = String(line[line.index(line.startIndex, offsetBy: 2)..<colon])
                    .trimmingCharacters(quotes: "\"'")
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path = currentPath {
                let key = line.dropFirst(4).prefix { $0 != ":" }
                if methods.contains(String(key)) { operations.insert(Operation(String(key), path)) }
            }
        }
        return operations
    }

    @Test func router_AndOpenAPI_DescribeTheSameOperations() async throws {
        let bytes = try #require(try FileSystem.readFile(Self.specPath), "no openapi.yaml at \(Self.specPath)")
        let spec = Self.specOperations(String(decoding: bytes, as: UTF8.self))
        #expect(spec.count > 20, "the reader found only \(spec.count) operations")
        try await withTestServer { server, _ in
            let routed = Set(
                server.server.api.makeRouter().registeredRoutes.map { Operation($0.method.rawValue, $0.pattern) })
            #expect(routed.count > 15)
            let undocumented = routed.subtracting(spec).sorted()
            #expect(undocumented.isEmpty, "routed but not in openapi.yaml: \(undocumented)")
            let unrouted = spec.subtracting(routed).subtracting(Self.knownMissing).sorted()
            #expect(unrouted.isEmpty, "in openapi.yaml but not routed: \(unrouted)")
            let nowRouted = Self.knownMissing.intersection(routed).sorted()
            #expect(nowRouted.isEmpty, "routed now: remove from knownMissing: \(nowRouted)")
            let notInSpec = Self.knownMissing.subtracting(spec).sorted()
            #expect(notInSpec.isEmpty, "knownMissing lists operations openapi.yaml lacks: \(notInSpec)")
        }
    }

    @Test func specReader_ReadsPathsAndMethodsOnly() {
        let text = """
            openapi: 3.1.0
            paths:
              /a/{x}:
                parameters:
                  - name: x
                get:
                  responses: {}
                post:
                  description: "get: not a key"
              "/b":
                delete: {}
            components:
              schemas:
                  /c:
                    get: {}
            webhooks:
              hook:
                post: {}
            """
        #expect(
            Self.specOperations(text) == [
                Operation("GET", "/a/{}"), Operation("POST", "/a/{}"), Operation("DELETE", "/b"),
            ])
    }
}

extension String {
    func trimmingCharacters(quotes: String) -> String {
        var view = Substring(self)
        while let first = view.first, quotes.contains(first) { view = view.dropFirst() }
        while let last = view.last, quotes.contains(last) { view = view.dropLast() }
        return String(view)
    }
}
