// How far V8 lets the heap grow past what the last full collection kept.
//
// By default V8 lets garbage grow the heap up to four times the live data
// before it collects in full. The service's live heap is small (about 30 MB
// under load, by --trace-gc), yet a process under load held 280–320 MB; an
// import holds less live data than garbage at its peak. Growing by half at
// most keeps the service near 200 MB at the same throughput (npm run bench):
// full collections come more often, and cost little with little live data.
// V8 reads the flag at each collection, so setting it at startup takes
// effect. An operator's own --heap-growing-percent (NODE_OPTIONS) wins.
import { setFlagsFromString } from "node:v8";

export const HEAP_GROWING_PERCENT = 50;

export function limitHeapGrowth(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((option) => option.includes("--heap-growing-percent"));
  if (!given) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
