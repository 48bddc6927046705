/**
 * How the language server's V8 heap is sized: shared by the client (which starts the server), the
 * tests and the benchmarks, so they all measure the server as users run it.
 *
 * Measured with GOROOT's net/http (all 71 files open, one compile of the package with its tests:
 * 29,000 facts): the live JS heap after the burst is ~47 MB, but the heap V8 had committed was
 * 125 MB, 32 MB of it the young generation (two 16 MB semi-spaces by default on 64-bit) and most of
 * the rest old space grown for garbage that died right after. Peak RSS 255-265 MB without these
 * settings, ~220 MB with both (bench/README.md).
 */

/**
 * Node options for the server process. `--max-semi-space-size` is a documented Node/V8 option:
 * 4 MB semi-spaces keep the young generation at 8-12 MB; the server's allocations are many small
 * short-lived objects per document, which still die young at that size.
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=4'];

/**
 * V8 flags the server sets on itself at start (`v8.setFlagsFromString`, so they also apply under
 * other editors' LSP clients; an unknown flag is ignored there, never fatal). The old generation
 * may grow to 1.25x the live heap before the next full collection, instead of up to 4x:
 * collections of a ~50 MB heap are short and mostly concurrent.
 */
export const SERVER_V8_FLAGS: readonly string[] = ['--heap-growing-percent=25'];
