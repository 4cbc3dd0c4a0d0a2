// How V8 keeps a process's memory: how far the heap may grow past what the
// last full collection kept, and (the service only) how it compiles Prisma's
// WebAssembly.
//
// By default V8 lets garbage grow the heap up to four times the live data
// before it collects in full. The service's live heap is small (35–45 MB
// under load, by --trace-gc), yet a process under load held 260–320 MB.
// Both the service and the CLI let it grow by half at most.
//
// The service had let it double, for throughput. A process then peaked past
// 250 MiB now and then, always after the same event: the first full
// collection under load kept 63–70 MB instead of 38–45 (4 of 21 cold
// scratch runs of bench scenario f, a page of 50 users; the old space 53 MB
// against 29–32). A heap snapshot taken when the heap reached that size,
// whose collection is atomic, found 35 MB alive every time: the rest is
// garbage that V8's incremental marking keeps, what requests held at some
// moment of a marking that takes 80–100 ms while the process warms up.
// Allowed to double, V8 sized the heap from it: the old space reached
// 137–142 MB before the next collection, which kept 38. Turning off
// concurrent marking or allocation-site pretenuring did not change it.
// Growing by half bounds what such a collection costs. Same session, two
// bench runs each (`--scenarios a,c,d,f --rounds 2`): a process peaked at
// 184–207 MiB instead of 192–252, for more CPU per request (more full
// collections): 3% in REST, 4% in a user, 7% in ten users, 15% in the page
// of 50 users. Every target of the issue was met either way.
// The CLI serves no requests: its import of 200,000 users peaked at 810 MB
// doubling, 650 MB growing by half, in the same 21 s.
// V8 reads the flag at each collection, so setting it at startup takes
// effect. Node refuses it in NODE_OPTIONS; given on node's command line
// (`node --heap-growing-percent=N scripts/start.mjs`, 0 for V8's default) it wins.
//
// The young generation is the other part that grows under load: V8 lets each
// of its two halves reach 16 MB. At 8 MB, thirteen alternating runs of four
// bench scenarios (REST, a user, ten aliased users, a page of 50) peaked at
// 168–239 MiB a process, against 184–306 at 16 MB, for requests/s within the
// runs' noise (1–2% less on average). The CLI's import of 200,000 users
// peaked at 536–538 MB instead of 557–599, in 31–33 s instead of 29–30. V8
// sizes it only as the process starts, so it is given on node's command
// line, in package.json's `start` and `cli` scripts
// (`--max-semi-space-size=8`), which cluster workers inherit; nothing here
// can set it later.
//
// Memory outside V8's heap: glibc's malloc gives each thread that finds the
// others' arenas busy an arena of its own, up to eight per core, and an
// arena's pages are seldom given back. V8's helper threads (concurrent
// marking, compiling) held about 18 MB of a service process in four such
// arenas under load (/proc/PID/smaps). With two at most, as many Node and JVM
// deployments set, (f) a page of 50 users peaked at 194, 191, 194 MiB
// instead of 203, 202, 257, a user (c) at 180 and 179 instead of 188 and
// 194, ten users (d) at 201 and 197 instead of 233 and 206 (alternating
// pairs, 3 s of warm-up then 8 s), for CPU per request within the pairs'
// noise. The CLI's import of 200,000 users peaked at 583 and 555 MB instead
// of 596 and 567, in 29.8 and 29.4 s instead of 29.3 and 28.6 (alternating).
// glibc reads it only as a process starts, from the environment, so
// package.json's `start` and `cli` scripts set it (`MALLOC_ARENA_MAX`, unless
// already set), and workers inherit it.
import { setFlagsFromString } from "node:v8";

/** How far past the last full collection's live data the heap may grow, in percent. */
const HEAP_GROWING_PERCENT = 50;

export function limitHeapGrowth(): void {
  if (!process.execArgv.some((option) => option.startsWith("--heap-growing-percent"))) {
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  }
}

/**
 * Prisma's query compiler is a WebAssembly module. V8 compiles it first with
 * its baseline compiler (Liftoff), then again, optimized, in the background
 * (TurboFan): that second copy held about 27 MB of a service process's
 * memory (RSS after connecting, 153 → 126 MB, scratch measurement of
 * process.memoryUsage), for code the service hardly runs: its reads go
 * straight to the driver adapter (readRows in src/db/client.ts), and only the
 * batched use writes still pass through the compiler. Must run before the
 * client connects. Given on node's command line, the operator's choice wins.
 */
export function keepWasmBaselineOnly(): void {
  if (!process.execArgv.some((option) => /^--(no-)?liftoff-only\b/.test(option))) setFlagsFromString("--liftoff-only");
}
