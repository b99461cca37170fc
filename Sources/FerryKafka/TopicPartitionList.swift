import CRdkafka

/// An owned `rd_kafka_topic_partition_list_t` (destroyed on release), for librdkafka calls that take or return
/// one. Used by one thread at a time inside a single call; never shared.
final class TopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// A list with one entry per item, each with its offset set (`RD_KAFKA_OFFSET_INVALID` for nil).
    init(_ items: [(KafkaTopicPartition, Int64?)]) {
        // rd_kafka_topic_partition_list_new only fails to allocate, where librdkafka aborts anyway.
        guard let list = rd_kafka_topic_partition_list_new(Int32(clamping: max(1, items.count))) else {
            fatalError("rd_kafka_topic_partition_list_new: out of memory")
        }
        pointer = list
        for (topicPartition, offset) in items {
            let element = rd_kafka_topic_partition_list_add(list, topicPartition.topic, topicPartition.partition)
            element?.pointee.offset = offset ?? Int64(RD_KAFKA_OFFSET_INVALID)
        }
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    /// The entries of a list librdkafka owns or returned.
    static func entries(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [Entry] {
        guard let list, let elements = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elements[index]
            return Entry(
                topicPartition: KafkaTopicPartition(topic: string(element.topic), partition: element.partition),
                offset: element.offset,
                error: element.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(element.err))
        }
    }

    var entries: [Entry] { TopicPartitionList.entries(of: pointer) }

    struct Entry {
        var topicPartition: KafkaTopicPartition
        var offset: Int64
        var error: KafkaError?
    }
}
