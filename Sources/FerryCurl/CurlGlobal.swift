import CCurl

/// libcurl's process-wide initialization, done exactly once before the first handle is created.
///
/// `curl_global_init` is not thread-safe by itself; a `static let` is initialized once under the runtime's
/// lock (`swift_once`), which makes ``ensureInitialized()`` safe from any thread.
enum CurlGlobal {
    private static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    static func ensureInitialized() {
        precondition(initialized, "curl_global_init failed")
    }
}
