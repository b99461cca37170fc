import FerryJSON
import Testing

struct FerryJSONModuleTests {
    @Test func module_Links() { _ = FerryJSONModule.self }
}
