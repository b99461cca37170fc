import FerryBroker
import Testing

struct PartitionAssignorTests {
    private func member(_ id: String, _ topics: [String] = ["t"], owns: [Int] = []) -> PartitionAssignor.Member {
        .init(id: id, topics: Set(topics), current: Set(owns.map { TopicPartition(topic: "t", partition: $0) }))
    }

    @Test func assign_SpreadsEvenly_ForEveryMemberAndPartitionCount() {
        for n in 1...6 {
            for p in 0...13 {
                let members = (0..<n).map { member("m\($0)") }
                let result = PartitionAssignor.assign(members: members, partitionCounts: ["t": p])
                let sizes = result.values.map(\.count)
                #expect(sizes.reduce(0, +) == p)
                #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1, "n=\(n) p=\(p) sizes=\(sizes)")
                #expect(Set(result.values.flatMap { $0 }).count == p)
            }
        }
    }

    @Test func assign_KeepsOwners_WhenAMemberJoins() {
        let before = [member("a", owns: [0, 1, 2, 3])]
        let after = PartitionAssignor.assign(members: before + [member("b")], partitionCounts: ["t": 4])
        #expect(after["a"]!.count == 2 && after["b"]!.count == 2)
        let kept = Set(after["a"]!.map(\.partition))
        #expect(kept.isSubset(of: [0, 1, 2, 3]))
    }

    @Test func assign_GivesNewMemberAShare_WhenOthersAreAtCeiling() {
        let members = [member("a", owns: [0, 1]), member("b", owns: [2, 3]), member("c")]
        let result = PartitionAssignor.assign(members: members, partitionCounts: ["t": 4])
        #expect(result.values.map(\.count).sorted() == [1, 1, 2])
    }

    @Test func assign_OnlyGivesSubscribedTopics() {
        let members = [member("a", ["x"]), member("b", ["x", "y"])]
        let result = PartitionAssignor.assign(members: members, partitionCounts: ["x": 2, "y": 3])
        #expect(result["a"]!.allSatisfy { $0.topic == "x" })
        #expect(result["b"]!.filter { $0.topic == "y" }.count == 3)
        #expect(result.values.flatMap { $0 }.count == 5)
    }

    @Test func assign_SpreadsExtras_AcrossTopics() {
        let members = [member("a", ["x", "y"]), member("b", ["x", "y"])]
        let result = PartitionAssignor.assign(members: members, partitionCounts: ["x": 3, "y": 3])
        #expect(result["a"]!.count == 3 && result["b"]!.count == 3)
    }
}
