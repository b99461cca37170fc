import FerrySystem

/// Errors starting or running a server.
public enum HTTPServerError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidHost(String)
    case invalidPort(Int)
    case addressInUse(host: String, port: Int)
    case alreadyStarted
    case system(SystemError)

    /// The same failure of ``ListeningSocket``.
    public init(_ error: ListenError) {
        switch error {
        case .invalidHost(let host): self = .invalidHost(host)
        case .invalidPort(let port): self = .invalidPort(port)
        case .addressInUse(let host, let port): self = .addressInUse(host: host, port: port)
        case .system(let error): self = .system(error)
        }
    }

    public var description: String {
        switch self {
        case .invalidHost(let host): "invalid IPv4 host \"\(host)\""
        case .invalidPort(let port): "invalid TCP port \(port)"
        case .addressInUse(let host, let port): "address \(host):\(port) is already in use"
        case .alreadyStarted: "the server was already started"
        case .system(let error): error.description
        }
    }
}
