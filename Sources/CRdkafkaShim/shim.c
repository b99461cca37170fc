#include "CRdkafkaShim.h"

rd_kafka_error_t *ferry_rdkafka_produce(rd_kafka_t *rk, const char *topic, int32_t partition,
                                        const void *key, size_t key_size,
                                        const void *value, size_t value_size,
                                        rd_kafka_headers_t *headers, int64_t timestamp_ms, void *opaque) {
    rd_kafka_vu_t vus[8];
    size_t count = 0;
    vus[count].vtype = RD_KAFKA_VTYPE_TOPIC;
    vus[count++].u.cstr = topic;
    vus[count].vtype = RD_KAFKA_VTYPE_PARTITION;
    vus[count++].u.i32 = partition;
    vus[count].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vus[count++].u.i = RD_KAFKA_MSG_F_COPY;
    vus[count].vtype = RD_KAFKA_VTYPE_OPAQUE;
    vus[count++].u.ptr = opaque;
    if (key != NULL) {
        vus[count].vtype = RD_KAFKA_VTYPE_KEY;
        vus[count].u.mem.ptr = (void *)key;
        vus[count++].u.mem.size = key_size;
    }
    if (value != NULL) {
        vus[count].vtype = RD_KAFKA_VTYPE_VALUE;
        vus[count].u.mem.ptr = (void *)value;
        vus[count++].u.mem.size = value_size;
    }
    if (timestamp_ms > 0) {
        vus[count].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
        vus[count++].u.i64 = timestamp_ms;
    }
    if (headers != NULL) {
        vus[count].vtype = RD_KAFKA_VTYPE_HEADERS;
        vus[count++].u.headers = headers;
    }
    return rd_kafka_produceva(rk, vus, count);
}

void *ferry_rdkafka_message_opaque(const rd_kafka_message_t *message) { return message->_private; }

int ferry_rdkafka_is_transport_error(rd_kafka_resp_err_t code) {
    switch (code) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
        return 1;
    default:
        return 0;
    }
}
