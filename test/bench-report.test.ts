// How the load benchmark sums up its rounds (scripts/bench/report.ts): a ratio
// or a percentile on its median round, a peak on its worst, counts added up.
import assert from "node:assert/strict";
import { test } from "node:test";
import { judgeTargets, median, rowOf, summaryRows, type Round, type Row } from "../scripts/bench/report.ts";

const MiB = 2 ** 20;

type Figures = { requestsPerSecond: number; p99?: number; max?: number; memoryMiB?: number; errors?: number };

function row(id: Row["id"], { requestsPerSecond, p99 = 10, max = 20, memoryMiB = 100, errors = 0 }: Figures, floor: Row | null): Row {
  const load = {
    requestsPerSecond,
    requests: requestsPerSecond * 10,
    durationSeconds: 10,
    latencyMs: { mean: p99 / 2, p50: p99 / 2, p90: p99 * 0.8, p99, max },
    errors,
    timeouts: 0,
    non2xx: 0,
    badBodies: 0,
    statusCodes: { "200": requestsPerSecond * 10 },
  };
  const memory = { totalBytes: memoryMiB * MiB, maxProcessBytes: memoryMiB * MiB, totalAtOnceBytes: memoryMiB * MiB, processes: 1 };
  const cpu = { serverCores: 1, loadGeneratorCores: 0.2, serverMsPerRequest: 1000 / requestsPerSecond, databaseCores: null, otherCores: 0 };
  return rowOf(id, load, memory, cpu, floor?.load ?? null);
}

/** A round of the floor, (a), (b) and (c), with (c)'s p99 and the largest process given. */
function round(floor: number, a: number, b: number, c: { requestsPerSecond: number; p99: number }, memoryMiB: number, errors = 0): Round {
  const floorRow = row("floor", { requestsPerSecond: floor }, null);
  return [
    floorRow,
    row("a", { requestsPerSecond: a, p99: 30 }, floorRow),
    row("b", { requestsPerSecond: b, p99: 35, errors }, floorRow),
    row("c", { ...c, memoryMiB }, floorRow),
  ];
}

const judged = (rounds: Round[], target: string) => judgeTargets(rounds).find((candidate) => candidate.target === target)!;

test("the median is the middle value, or the mean of the two middle ones", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
});

test("a ratio is taken in each round, and judged on the median round", () => {
  // (b)/(a) per round: 80%, 90%, 95%: one slow round alone does not decide.
  const rounds = [round(10_000, 3_000, 2_400, { requestsPerSecond: 2_000, p99: 40 }, 200), round(9_000, 2_000, 1_800, { requestsPerSecond: 1_300, p99: 45 }, 200), round(8_000, 2_000, 1_900, { requestsPerSecond: 1_100, p99: 52 }, 200)];
  const b = judged(rounds, "(b) random tokens within 15% of (a)");
  assert.equal(b.met, true);
  assert.equal(b.measured, "90.0% (median of 80.0%, 90.0%, 95.0%)");
  // (c)/(a): 66.7%, 65%, 55%; its p99 40, 45, 52 ms.
  assert.equal(judged(rounds, "(c) GraphQL user >= 60% of (a)").measured, "65.0% (median of 66.7%, 65.0%, 55.0%)");
  assert.equal(judged(rounds, "(c) GraphQL user p99 < 50 ms").met, true);
  // Two slow rounds of three are the median: missed.
  const slower = [rounds[0]!, round(9_000, 2_000, 1_600, { requestsPerSecond: 1_000, p99: 55 }, 200), rounds[2]!];
  assert.equal(judged(slower, "(b) random tokens within 15% of (a)").met, false);
  assert.equal(judged(slower, "(c) GraphQL user p99 < 50 ms").met, false);
});

test("a peak is judged on its worst round: once past 250 MiB is past it", () => {
  const rounds = [200, 258, 210].map((memoryMiB) => round(10_000, 3_000, 2_800, { requestsPerSecond: 2_000, p99: 40 }, memoryMiB));
  const memory = judged(rounds, "peak memory <= 250 MiB per process");
  assert.equal(memory.met, false);
  assert.equal(memory.measured, "258 MiB (worst of 200 MiB, 258 MiB, 210 MiB)");
  assert.equal(summaryRows(rounds).find((summary) => summary.id === "c")!.memory.maxProcessBytes, 258 * MiB);
});

test("the summary row: median throughput and share of the floor, worst max latency, counts added up", () => {
  const rounds = [round(10_000, 3_000, 2_800, { requestsPerSecond: 2_000, p99: 40 }, 200, 0), round(8_000, 2_000, 1_800, { requestsPerSecond: 1_500, p99: 45 }, 200, 3)];
  const [floor, a, b] = summaryRows(rounds);
  assert.equal(floor!.id, "floor");
  assert.equal(a!.load.requestsPerSecond, 2_500);
  assert.equal(a!.shareOfFloor, (0.3 + 0.25) / 2);
  assert.equal(a!.load.requests, 50_000);
  assert.equal(b!.load.errors, 3);
  // Errors in any round are reported, whatever the medians.
  assert.ok(judgeTargets(rounds).some((target) => target.target === "(b) REST, random tokens: every answer a good 2xx" && target.met === false));
});

test("one round is judged as it is, without a list of rounds", () => {
  const rounds = [round(10_000, 3_000, 2_800, { requestsPerSecond: 2_000, p99: 40 }, 200)];
  assert.equal(judged(rounds, "(c) GraphQL user >= 60% of (a)").measured, "66.7%");
  assert.equal(judged(rounds, "(d) ten aliased users >= 20% of (a)").met, null);
});
