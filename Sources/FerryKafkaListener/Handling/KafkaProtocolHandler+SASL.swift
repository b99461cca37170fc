import FerryKafkaWire
import Synchronization

extension KafkaProtocolHandler {
    /// SaslHandshake: PLAIN is the one mechanism (Ferry's tokens).
    func saslHandshake(
        _ request: SaslHandshakeRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder
    ) {
        let supported = request.mechanism == "PLAIN" && configuration.authenticator != nil
        if supported { session.state.withLock { $0.handshakeDone = true } }
        let error: KafkaErrorCode = supported ? .none : .unsupportedSaslMechanism
        send(
            SaslHandshakeResponse(
                errorCode: error.rawValue, mechanisms: configuration.authenticator == nil ? [] : ["PLAIN"]),
            version: version, to: responder)
    }

    /// SaslAuthenticate with PLAIN: `[authzid] NUL username NUL password`; username = token name, password =
    /// the token. A failure answers SASL_AUTHENTICATION_FAILED, and the connection is closed after it.
    func saslAuthenticate(
        _ request: SaslAuthenticateRequest, version: Int16, _ session: KafkaSession, _ responder: KafkaResponder
    ) {
        guard let authenticator = configuration.authenticator, session.state.withLock({ $0.handshakeDone }) else {
            let response = SaslAuthenticateResponse(
                errorCode: KafkaErrorCode.illegalSaslState.rawValue, errorMessage: "SaslHandshake(PLAIN) first")
            return send(response, version: version, to: responder)
        }
        let parts = request.authBytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        var principal: KafkaPrincipal?
        if parts.count == 3, let user = String(validating: parts[1], as: UTF8.self),
            let password = String(validating: parts[2], as: UTF8.self)
        {
            principal = authenticator.authenticate(username: user, password: password)
        }
        guard let principal else {
            let response = SaslAuthenticateResponse(
                errorCode: KafkaErrorCode.saslAuthenticationFailed.rawValue,
                errorMessage: "authentication failed: wrong token name or token")
            send(response, version: version, to: responder)
            return responder.close()
        }
        session.state.withLock {
            $0.principal = principal
            $0.handshakeDone = false
        }
        send(SaslAuthenticateResponse(), version: version, to: responder)
    }
}
