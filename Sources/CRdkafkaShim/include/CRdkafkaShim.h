// Typed, non-variadic entry points for what Swift cannot call or build itself in librdkafka.
#ifndef CRDKAFKA_SHIM_PUBLIC_H
#define CRDKAFKA_SHIM_PUBLIC_H
#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>

/// Enqueues one record through rd_kafka_produceva (the rd_kafka_vu_t union is filled here, not in Swift).
/// `key`/`value` may be NULL (a null key, a tombstone); they are copied (RD_KAFKA_MSG_F_COPY).
/// `headers` (may be NULL) is owned by librdkafka on success; on failure the caller still owns it.
/// `timestamp_ms` <= 0 lets librdkafka stamp the record. Returns NULL on success, else an error the caller destroys.
rd_kafka_error_t *ferry_rdkafka_produce(rd_kafka_t *rk, const char *topic, int32_t partition,
                                        const void *key, size_t key_size,
                                        const void *value, size_t value_size,
                                        rd_kafka_headers_t *headers, int64_t timestamp_ms, void *opaque);

/// The per-message opaque (`_private`) of a delivery report.
void *ferry_rdkafka_message_opaque(const rd_kafka_message_t *message);

/// Returns 1 if `code` means the client could not reach or hear from a broker (transport, resolve, all brokers
/// down, timeouts), as opposed to an answer the broker gave.
int ferry_rdkafka_is_transport_error(rd_kafka_resp_err_t code);
#endif
