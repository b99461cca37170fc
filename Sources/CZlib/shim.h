// zlib's init functions are macros Swift cannot call; these wrap them for gzip streams.
#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H
#include <zlib.h>

/* Inflate gzip or zlib data (header detected automatically). */
static inline int czlib_inflate_init(z_stream *s) { return inflateInit2(s, 32 + MAX_WBITS); }
/* Deflate into the gzip format (what Kafka's gzip codec carries). */
static inline int czlib_deflate_init_gzip(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}
#endif
