import FerryLog
import Testing

struct FerryLogModuleTests {
    @Test func module_Links() { _ = FerryLogModule.self }
}
