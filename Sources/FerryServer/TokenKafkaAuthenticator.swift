import FerryAPI
import FerryKafkaListener

/// SASL/PLAIN over Ferry's token file: user name = the token's name, password = the token; the rights are the
/// token's rights over HTTP (produce → write, consume → read, admin → topic administration and everything).
/// Reads the current table on every login, so a reload (SIGHUP) applies to new connections.
struct TokenKafkaAuthenticator: KafkaAuthenticator {
    let access: AccessControl

    func authenticate(username: String, password: String) -> KafkaPrincipal? {
        guard let principal = access.principal(forToken: password), principal.name == username else { return nil }
        return KafkaPrincipal(
            name: principal.name, mayRead: { principal.has(.consume, on: $0) },
            mayWrite: { principal.has(.produce, on: $0) }, mayAdminister: principal.hasAnywhere(.admin))
    }
}
