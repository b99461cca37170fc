// Intentionally empty: the header declares a libFuzzer symbol; a C target needs one source file.
#include "CFerryFuzz.h"
