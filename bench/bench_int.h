/* bench_int.h - the benchmarks' one door into the library's internals.
 *
 * Benchmarks use include/reprint.h; where a benchmark's generator or ground
 * truth must compute exactly what the library computes (word n-gram shingle
 * sets and their Jaccard, the 64-bit mixer, UTF-8 encoding), it calls the
 * library's own functions through this header instead of keeping a copy
 * that could drift. Only bench/ includes it. */
#ifndef REPRINT_BENCH_INT_H
#define REPRINT_BENCH_INT_H

#include "reprint.h"
#include "sketch/sketch.h"

#endif /* REPRINT_BENCH_INT_H */
