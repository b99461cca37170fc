import FerryAPITesting
import FerryHTTP
import FerryServer
import Testing

@testable import FerryAPI

/// The token file, grants and the one admission check, without sockets.
@Suite("Access tokens and rules")
struct AccessTokensTests {
    static func parse(_ text: String) throws(AccessFileError) -> AccessTokens {
        try AccessTokens.parse(Array(text.utf8), path: "t.json")
    }

    @Test func parse_ReadsTokensAndGrants_AndLooksUpByToken() throws {
        let tokens = try Self.parse(
            #"{"tokens":[{"name":"ci","token":"s3cret","rights":[{"right":"produce","topics":"orders*"},{"right":"admin","topics":"audit"}]},{"name":"ro","token":"r","rights":[]}]}"#
        )
        #expect(tokens.count == 2)
        let ci = try #require(tokens.principal(forToken: "s3cret".utf8))
        #expect(ci.name == "ci")
        #expect(ci.has(.produce, on: "orders.eu"))
        #expect(!ci.has(.consume, on: "orders"))
        #expect(ci.has(.consume, on: "audit"))  // admin implies consume
        #expect(ci.has(.produce, on: "audit"))
        #expect(!ci.has(.admin, on: "orders"))
        #expect(tokens.principal(forToken: "r".utf8)?.name == "ro")
        #expect(tokens.principal(forToken: "s3cre".utf8) == nil)
        #expect(tokens.principal(forToken: "".utf8) == nil)
    }

    @Test func parse_RejectsBadFiles_WithOneLineNamingTheEntry_AndNeverTheToken() {
        let cases: [(String, String)] = [
            ("not json", "not valid JSON"),
            (#"{"tokenz":[]}"#, "\"tokens\" array"),
            (#"{"tokens":[{"token":"hidden-1","rights":[]}]}"#, "tokens[0].name"),
            (#"{"tokens":[{"name":"a","token":"","rights":[]}]}"#, "tokens[0].token"),
            (#"{"tokens":[{"name":"a","token":"hidden-2"}]}"#, "tokens[0].rights"),
            (
                #"{"tokens":[{"name":"a","token":"hidden-3","rights":[{"right":"write","topics":"*"}]}]}"#,
                "tokens[0].rights[0].right"
            ),
            (
                #"{"tokens":[{"name":"a","token":"hidden-4","rights":[{"right":"admin","topics":"a*b"}]}]}"#,
                "tokens[0].rights[0].topics"
            ),
            (
                #"{"tokens":[{"name":"a","token":"hidden-5","rights":[{"right":"admin","topics":""}]}]}"#,
                "tokens[0].rights[0].topics"
            ),
            (
                #"{"tokens":[{"name":"a","token":"hidden-6","rights":[]},{"name":"a","token":"x","rights":[]}]}"#,
                "duplicate name"
            ),
            (
                #"{"tokens":[{"name":"a","token":"hidden-7","rights":[]},{"name":"b","token":"hidden-7","rights":[]}]}"#,
                "same token"
            ),
        ]
        for (text, expected) in cases {
            do {
                _ = try Self.parse(text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(expected), "\(error.description)")
                #expect(error.description.contains("t.json"))
                #expect(!error.description.contains("hidden"), "token leaked: \(error.description)")
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func topicPattern_MatchesExactNamesAndPrefixes() throws {
        let exact = try #require(TopicPattern("orders"))
        #expect(exact.matches("orders"))
        #expect(!exact.matches("orders.eu"))
        #expect(!exact.matches("order"))
        let prefix = try #require(TopicPattern("orders*"))
        #expect(prefix.matches("orders"))
        #expect(prefix.matches("orders.eu"))
        #expect(prefix.matches("ordersX"))
        #expect(!prefix.matches("order"))
        #expect(!prefix.matches("Orders"))
        let all = try #require(TopicPattern("*"))
        #expect(all.matches("anything"))
        #expect(TopicPattern("") == nil)
        #expect(TopicPattern("*orders") == nil)
        #expect(TopicPattern("or*ders*") == nil)
    }

    @Test func bearerToken_ParsesTheAuthorizationHeader() {
        #expect(AccessControl.bearerToken("Bearer abc") == "abc")
        #expect(AccessControl.bearerToken("bearer  abc ") == "abc")
        #expect(AccessControl.bearerToken("BEARER\tabc") == "abc")
        #expect(AccessControl.bearerToken("Bearer") == nil)
        #expect(AccessControl.bearerToken("Bearer ") == nil)
        #expect(AccessControl.bearerToken("Bearerabc") == nil)
        #expect(AccessControl.bearerToken("Basic abc") == nil)
        #expect(AccessControl.bearerToken(nil) == nil)
    }

    @Test func undeclaredRoute_FailsClosed_NeedingAdminOnEverything() async throws {
        let tokens = try Self.parse(
            #"{"tokens":[{"name":"root","token":"r","rights":[{"right":"admin","topics":"*"}]},{"name":"oa","token":"o","rights":[{"right":"admin","topics":"orders*"}]}]}"#
        )
        let access = AccessControl(tokens: tokens)
        try await withTestServer { server, _ async throws in
            var router = Router()
            router.add(.GET, "/plain") { _, responder in responder.respond(.text("x")) }
            router.add(.GET, "/open", needs: .open) { _, responder in responder.respond(.text("x")) }
            let plain = router.routes[0]
            #expect(Router.accessRule(of: plain) == .undeclared)
            func request(_ token: String?) -> HTTPRequest {
                HTTPRequest(
                    method: .GET, target: "/plain", headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
            }
            #expect(server.server.api.admit(request("r"), plain, access: access) == nil)
            #expect(server.server.api.admit(request("o"), plain, access: access)?.status == .forbidden)
            #expect(server.server.api.admit(request(nil), plain, access: access)?.status == .unauthorized)
            #expect(server.server.api.admit(request(nil), router.routes[1], access: access) == nil)
        }
    }
}
