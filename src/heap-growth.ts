// How far V8 lets the heap grow past what the last full collection kept.
//
// By default V8 lets garbage grow the heap up to four times the live data
// before it collects in full. The service's live heap is small (about 30 MB
// under load, by --trace-gc), yet a process under load held 260–320 MB.
// Doubling at most kept every scenario of `npm run bench` under 250 MB, for
// 4% of REST's requests/s and 8–20% of GraphQL's (more full collections;
// growing by half at most cost GraphQL 30%). A CLI import holds more garbage
// than live data at its peak: with smaller statements (import-fixture.ts),
// a 200,000-user import went from 2.5 GB to 1.1 GB.
// V8 reads the flag at each collection, so setting it at startup takes
// effect. Node refuses it in NODE_OPTIONS; given on node's command line
// (`node --heap-growing-percent=N scripts/start.mjs`, 0 for V8's default) it wins.
import { setFlagsFromString } from "node:v8";

export const HEAP_GROWING_PERCENT = 100;

export function limitHeapGrowth(): void {
  if (!process.execArgv.some((option) => option.startsWith("--heap-growing-percent"))) {
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  }
}
