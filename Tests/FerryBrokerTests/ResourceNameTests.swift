import FerryBroker
import Testing

/// ``ResourceName``: which names are internal topics, which a user may create.
struct ResourceNameTests {
    @Test(arguments: [
        ("__ferry_groups", true), ("__", true), ("__x", true), ("_", false), ("_x_", false), ("", false),
        ("a__", false), ("x", false), ("é__", false),
    ])
    func internalTopics_AreTheNamesStartingWithTwoUnderscores(name: String, isInternal: Bool) {
        #expect(ResourceName.isInternalTopic(name) == isInternal)
    }

    @Test func internalNames_AreNotValidUserTopics() {
        #expect(!ResourceName.isValidTopic("__ferry_groups"))
        #expect(ResourceName.isValidTopic("_ferry"))
        #expect(ResourceName.isValidTopic("orders"))
    }
}
