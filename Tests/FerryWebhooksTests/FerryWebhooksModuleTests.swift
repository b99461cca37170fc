import Testing
@testable import FerryWebhooks

@Test func module_Exists() {
    #expect(String(describing: FerryWebhooksModule.self) == "FerryWebhooksModule")
}
