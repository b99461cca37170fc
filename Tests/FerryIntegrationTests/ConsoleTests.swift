import FerryAPITesting
import FerryHTTP
import FerrySystem
import Testing

@testable import FerryAPI

/// The web console's routes (`/ui/…`, served from the binary) and the embedding: the generated Swift file
/// holds exactly the files of `Sources/FerryAPI/Console/Assets/`. The page's behaviour in a browser is tested
/// by `Tests/console/console_test.py` (headless Chromium), which `scripts/test` runs after these.
struct ConsoleTests {
    /// `Sources/FerryAPI/Console/Assets` of this checkout (from this file's path).
    static var assetsDirectory: String {
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        components.removeLast(3)
        return components.joined(separator: "/") + "/Sources/FerryAPI/Console/Assets"
    }

    @Test func embeddedAssets_MatchAssetFiles_SoTheGeneratedFileIsUpToDate() throws {
        let names = try FileSystem.contentsOfDirectory(Self.assetsDirectory).filter { !$0.hasPrefix(".") }.sorted()
        #expect(names.contains("index.html") && names.contains("app.js") && names.contains("app.css"))
        #expect(
            ConsoleAssetSources.files.map(\.name) == names,
            "asset files and ConsoleAssets.generated.swift differ: run scripts/embed-console")
        for name in names {
            let file = try #require(try FileSystem.readFile(Self.assetsDirectory + "/" + name))
            #expect(
                ConsoleAsset.named(name)?.body == file,
                "\(name) changed since ConsoleAssets.generated.swift was written: run scripts/embed-console")
        }
    }

    @Test func getUI_ServesIndexHTML_WithContentTypeCacheControlAndCSP() async throws {
        try await withTestServer { _, api in
            let response = try await api.get("/ui/")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/html; charset=utf-8")
            #expect(response.header("Cache-Control") == "no-cache")
            #expect(response.header("X-Content-Type-Options") == "nosniff")
            #expect(response.header("Content-Security-Policy")?.contains("script-src 'self'") == true)
            #expect(response.text.contains("<script src=\"app.js\""))
            #expect(response.header("ETag") == ConsoleAsset.named("index.html")?.etag)
        }
    }

    @Test func getUIAsset_ServesJavaScriptAndCSS_WithTheirContentTypes() async throws {
        try await withTestServer { _, api in
            let script = try await api.get("/ui/app.js")
            #expect(script.status == 200)
            #expect(script.header("Content-Type") == "text/javascript; charset=utf-8")
            #expect(script.body == ConsoleAsset.named("app.js")?.body)
            let style = try await api.get("/ui/app.css")
            #expect(style.status == 200)
            #expect(style.header("Content-Type") == "text/css; charset=utf-8")
        }
    }

    @Test func getUIAsset_Returns304_WhenIfNoneMatchNamesTheETag() async throws {
        try await withTestServer { _, api in
            let first = try await api.get("/ui/app.js")
            let etag = try #require(first.header("ETag"))
            let again = try await api.get("/ui/app.js", headers: [("If-None-Match", "\"other\", " + etag)])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            #expect(again.header("ETag") == etag)
            let stale = try await api.get("/ui/app.js", headers: [("If-None-Match", "\"0\"")])
            #expect(stale.status == 200)
        }
    }

    @Test func getUIAsset_Returns404Problem_ForAnUnknownFile() async throws {
        try await withTestServer { _, api in
            expectProblem(try await api.get("/ui/nope.js"), 404, "not-found")
            expectProblem(try await api.get("/ui/..%2Fopenapi.yaml"), 404, "not-found")
        }
    }

    @Test func getUIWithoutSlashAndRoot_RedirectToUISlash() async throws {
        try await withTestServer { _, api in
            for path in ["/ui", "/"] {
                let response = try await api.get(path)
                #expect(response.status == 308, "\(path)")
                #expect(response.header("Location") == "/ui/", "\(path)")
            }
        }
    }

    @Test func consoleFiles_AreOpen_WhenAccessControlIsOn() async throws {
        try await AccessControlTests.withSecuredServer { client async throws in
            for path in ["/ui/", "/ui/app.js", "/ui/app.css"] {
                #expect(try await client.get(path).status == 200, "\(path)")
            }
            #expect(try await client.get("/ui").status == 308)
            expectProblem(try await client.get("/v1/topics"), 401, "unauthorized")
        }
    }

    @Test func etagMatching_AcceptsListsWeakTagsAndStar() {
        #expect(FerryAPI.matches("\"a\"", etag: "\"a\""))
        #expect(FerryAPI.matches(" \"x\" , W/\"a\" ", etag: "\"a\""))
        #expect(FerryAPI.matches("*", etag: "\"a\""))
        #expect(!FerryAPI.matches("\"ab\"", etag: "\"a\""))
        #expect(!FerryAPI.matches("", etag: "\"a\""))
    }
}
