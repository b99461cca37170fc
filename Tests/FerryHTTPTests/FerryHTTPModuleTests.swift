import FerryHTTP
import Testing

struct FerryHTTPModuleTests {
    @Test func module_Links() { _ = FerryHTTPModule.self }
}
