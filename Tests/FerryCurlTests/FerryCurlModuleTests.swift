import FerryCurl
import Testing

struct FerryCurlModuleTests {
    @Test func libcurlVersion_NamesLibcurl() { #expect(FerryCurlModule.libcurlVersion.hasPrefix("libcurl/")) }
}
