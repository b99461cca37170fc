// libFuzzer target for the FerryHTTP request parser (head parser + body decoder), built only with FERRY_FUZZ=1:
//
//   FERRY_FUZZ=1 swift build -c debug --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address \
//       --product FerryHTTPParserFuzzer
//   mkdir -p /tmp/http-corpus && cp Fuzz/corpus/http/* /tmp/http-corpus/
//   .build-fuzz/debug/FerryHTTPParserFuzzer /tmp/http-corpus -max_total_time=60
//
// Any trap or sanitizer report is a bug: the parser must turn every byte sequence into requests or an
// HTTPParseError, and splitting the input in two must not change the outcome.
import CFerryFuzz
import FerryHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// One fuzz input: parse whole, parse split in two, compare. Also exported under libFuzzer's conventional name.
@_cdecl("LLVMFuzzerTestOneInput")
func ferryHTTPParserFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let whole = HTTPParserFuzzing.run(bytes)
    let split = HTTPParserFuzzing.run(bytes, splitAt: size / 2)
    if whole.requests != split.requests || whole.error != split.error {
        fatalError("split changed the result: \(whole) vs \(split)")
    }
    return 0
}

// SwiftPM gives executables a Swift `main` (so libFuzzer's own `main` is not linked): run libFuzzer's driver
// from here with our arguments.
var fuzzArgc = CommandLine.argc
var fuzzArgv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&fuzzArgc, &fuzzArgv) { data, size in ferryHTTPParserFuzzOne(data, size) })
