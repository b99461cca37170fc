import FerryHTTP

/// The web console's routes: every one a plain `GET` of a static, embedded file, declared `.open` (no token
/// needed under `--auth-file`: the page itself asks the user for one and sends it on its API calls).
///
/// - `GET /` and `GET /ui` → 308 to `/ui/` (the page's relative asset links need the trailing slash);
/// - `GET /ui/` → `index.html`; `GET /ui/{file}` → that asset or 404 `not-found`.
///
/// Responses carry the asset's `Content-Type`, an `ETag` (a matching `If-None-Match` gets 304 with no
/// body), `Cache-Control: no-cache` (revalidate every time, so an upgraded server is seen at once) and a
/// strict `Content-Security-Policy`: scripts and styles only from the console itself and requests only to this
/// server, so a message value that slips into the page as markup still cannot run or load anything.
extension FerryAPI {
    func addConsoleRoutes(to router: inout Router) {
        router.add(.GET, "/", needs: .open) { _, responder in responder.respond(Self.redirectToConsole) }
        router.add(.GET, "/ui", needs: .open) { _, responder in responder.respond(Self.redirectToConsole) }
        router.add(.GET, "/ui/", needs: .open) { request, responder in
            responder.respond(Self.consoleResponse(for: "index.html", request: request))
        }
        router.add(.GET, "/ui/{file}", needs: .open) { request, responder in
            responder.respond(Self.consoleResponse(for: request.pathParameter("file") ?? "", request: request))
        }
    }

    static let redirectToConsole = HTTPResponse(status: 308, headers: ["Location": "/ui/"])

    /// The response for asset `name`, honouring `If-None-Match`.
    static func consoleResponse(for name: String, request: HTTPRequest) -> HTTPResponse {
        guard let asset = ConsoleAsset.named(name) else {
            return .problem(.notFound, slug: "not-found", detail: "no console file \(name)")
        }
        var headers: HTTPHeaders = [
            "Content-Type": asset.contentType,
            "ETag": asset.etag,
            "Cache-Control": "no-cache",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": contentSecurityPolicy,
        ]
        if let tags = request.headers["If-None-Match"], matches(tags, etag: asset.etag) {
            headers.remove(name: "Content-Type")
            return HTTPResponse(status: 304, headers: headers)
        }
        return HTTPResponse(status: .ok, headers: headers, body: asset.body)
    }

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// True when the `If-None-Match` list names `etag` (or is `*`); weak tags compare by their opaque part.
    static func matches(_ header: String, etag: String) -> Bool {
        for part in header.split(separator: ",") {
            var tag = part.drop { $0 == " " || $0 == "\t" }
            while let last = tag.last, last == " " || last == "\t" { tag = tag.dropLast() }
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            if tag == etag { return true }
        }
        return false
    }
}
