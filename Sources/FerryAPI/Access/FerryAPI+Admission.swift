import FerryBroker
import FerryHTTP
import FerryJSON

/// The one place where access rules are enforced: the router's admission hook (installed by
/// ``FerryAPI/makeRouter()`` when an ``AccessControl`` is configured).
extension FerryAPI {
    /// Checks `route`'s ``AccessRule`` for `request`: nil lets the handler run; otherwise 401 `unauthorized`
    /// (with `WWW-Authenticate: Bearer`) for a missing or unknown token, 403 `forbidden` for a missing right.
    /// The token's name goes to the access log through `responder` (never the token).
    func admit(
        _ request: HTTPRequest, _ route: Router.Route, access: AccessControl, responder: HTTPResponder? = nil
    ) -> HTTPResponse? {
        let rule = Router.accessRule(of: route)
        if rule.requirement == .open { return nil }
        let principal: AccessPrincipal
        switch access.authenticate(request) {
        case .missing:
            return Self.unauthorized(
                "this endpoint needs a bearer token (Authorization: Bearer <token>)", invalidToken: false)
        case .unknown:
            return Self.unauthorized("unknown bearer token", invalidToken: true)
        case .principal(let found):
            principal = found
            responder?.noteRemoteUser(found.name)
        }
        switch rule.requirement {
        case .open, .authenticated:
            return nil
        case .adminOnEverything:
            if principal.grants.contains(where: { $0.right == .admin && $0.topics.text == "*" }) { return nil }
            return Self.forbidden("token '\(principal.name)' needs admin on '*' for \(route.method) \(route.pattern)")
        case .anyRight:
            let topics = self.topics(rule.topics, of: request)
            if topics.isEmpty {
                return principal.grants.isEmpty ? Self.forbidden("token '\(principal.name)' has no rights") : nil
            }
            for topic in topics where !principal.hasAnyRight(on: topic) {
                return Self.forbidden("token '\(principal.name)' has no right on topic '\(topic)'")
            }
            return nil
        case .right(let right):
            let topics = self.topics(rule.topics, of: request)
            if topics.isEmpty {
                return principal.hasAnywhere(right)
                    ? nil : Self.forbidden("token '\(principal.name)' has no \(right) right")
            }
            for topic in topics where !principal.has(right, on: topic) {
                return Self.forbidden("token '\(principal.name)' has no \(right) right on topic '\(topic)'")
            }
            return nil
        }
    }

    /// The topics `sources` name for `request` (deduplicated, in order).
    func topics(_ sources: [AccessRule.TopicSource], of request: HTTPRequest) -> [String] {
        var topics: [String] = []
        var body: JSONObject??
        for source in sources {
            switch source {
            case .pathParameter(let name):
                if let topic = request.pathParameter(name) { topics.append(topic) }
            case .group:
                let group = request.pathParameter("group") ?? ""
                topics += (try? groups(group))?.topics(ofGroup: group) ?? []
            case .body(let key):
                // The handler reads the body with the same parser, so both see the same member.
                if body == nil { body = .some(try? request.jsonObject()) }
                switch body??[key] {
                case .string(let topic)?: topics.append(topic)
                case .array(let items)?:
                    for case .string(let topic) in items { topics.append(topic) }
                default: break
                }
            }
        }
        var seen: Set<String> = []
        return topics.filter { seen.insert($0).inserted }
    }

    /// Which topics `request`'s token may see in lists (`GET /v1/topics`, `GET /v1/groups`): every topic without
    /// access control, else those it holds some right on. Lists are cold paths: this authenticates again.
    func topicVisibility(for request: HTTPRequest) -> (String) -> Bool {
        guard let accessControl else { return { _ in true } }
        guard case .principal(let principal) = accessControl.authenticate(request) else { return { _ in false } }
        return { principal.hasAnyRight(on: $0) }
    }

    static func unauthorized(_ detail: String, invalidToken: Bool) -> HTTPResponse {
        let challenge = invalidToken ? #"Bearer realm="ferry", error="invalid_token""# : #"Bearer realm="ferry""#
        return .problem(.unauthorized, slug: "unauthorized", detail: detail, headers: ["WWW-Authenticate": challenge])
    }

    static func forbidden(_ detail: String) -> HTTPResponse {
        .problem(.forbidden, slug: "forbidden", detail: detail)
    }
}
