import FerryKafka
import Testing

@Suite("KafkaConfiguration")
struct KafkaConfigurationTests {
    @Test("an unknown property is refused with an error naming it")
    func validate_NamesTheKey_WhenPropertyUnknown() {
        var configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.set("no.such.property", "1")
        let error = #expect(throws: KafkaError.self) { try configuration.validate() }
        #expect(error?.key == "no.such.property")
        #expect(error?.message.contains("no.such.property") == true)
    }

    @Test("a bad value is refused with an error naming the key and librdkafka's reason")
    func producerInit_NamesTheKey_WhenValueInvalid() {
        var configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.set("linger.ms", "not-a-number")
        let error = #expect(throws: KafkaError.self) { _ = try KafkaProducer(configuration: configuration) }
        #expect(error?.key == "linger.ms")
        #expect(error?.message.isEmpty == false)
    }

    @Test("key=value pairs parse; a pair without '=' is refused")
    func initPairs_ParsesAndRejects() throws {
        let configuration = try KafkaConfiguration(
            bootstrapServers: "a:1", pairs: ["security.protocol=plaintext", "client.id=x=y"])
        #expect(configuration.value(for: "client.id") == "x=y")
        #expect(configuration.value(for: "security.protocol") == "plaintext")
        let error = #expect(throws: KafkaError.self) {
            _ = try KafkaConfiguration(bootstrapServers: "a:1", pairs: ["oops"])
        }
        #expect(error?.key == "oops")
    }
}
