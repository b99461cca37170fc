// libFuzzer target for the Kafka wire codec (frame cutting, request headers, every request decoder of every
// supported version, record batches v2 inside Produce), built only with FERRY_FUZZ=1:
//
//   FERRY_FUZZ=1 swift build -c debug --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address \
//       --product FerryKafkaFrameFuzzer
//   mkdir -p /tmp/kafka-corpus && cp Fuzz/corpus/kafka/* /tmp/kafka-corpus/
//   .build-fuzz/debug/FerryKafkaFrameFuzzer /tmp/kafka-corpus -max_total_time=60
//
// Any trap or sanitizer report is a bug: the listener must turn every byte sequence into requests or a closed
// connection, never a crash.
import CFerryFuzz
import FerryKafkaWire

#if canImport(Glibc)
    import Glibc
#endif

/// One fuzz input: frames, headers, bodies, record batches. Also exported under libFuzzer's conventional name.
@_cdecl("LLVMFuzzerTestOneInput")
func ferryKafkaFrameFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let outcome = KafkaFrameFuzzing.run(UnsafeRawBufferPointer(start: data, count: size))
    if outcome.headers > outcome.frames || outcome.requests > outcome.headers {
        fatalError("inconsistent counts: \(outcome)")
    }
    return 0
}

// SwiftPM gives executables a Swift `main` (so libFuzzer's own `main` is not linked): run libFuzzer's driver
// from here with our arguments.
var fuzzArgc = CommandLine.argc
var fuzzArgv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&fuzzArgc, &fuzzArgv) { data, size in ferryKafkaFrameFuzzOne(data, size) })
