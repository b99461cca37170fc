// librdkafka's client API and its in-process mock cluster (Debian librdkafka-dev 2.0.2).
// Variadic entry points are wrapped in the CRdkafkaShim target, not here.
#ifndef CRDKAFKA_SHIM_H
#define CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
