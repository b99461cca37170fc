import CCurl

/// Swift wrapper over libcurl (easy and multi interfaces).
public enum FerryCurlModule {
    /// The libcurl version string, e.g. "libcurl/7.88.1 OpenSSL/3.0.x".
    public static var libcurlVersion: String { String(cString: curl_version()) }
}
