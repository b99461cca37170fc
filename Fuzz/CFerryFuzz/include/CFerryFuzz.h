// libFuzzer's driver entry point (compiler-rt, LLVM >= 11). SwiftPM renames an executable's `main`, so the
// fuzzer target defines that renamed main itself and hands control to libFuzzer through this call.
#ifndef CFERRY_FUZZ_H
#define CFERRY_FUZZ_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
