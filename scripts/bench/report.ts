// What a run prints and writes: one table row per scenario and the floor, the
// issue's targets judged against them, and the same as JSON for comparisons
// between runs.
//
// A run measures everything in rounds (--rounds), one after another: on a
// shared machine one 10-second window can fall in a slow or fast moment of the
// others' work, and a single round's ratio moved by ±5% between runs of the
// same code. Each round's ratios compare figures measured a minute apart, so a
// slow drift of the machine cancels in them; across rounds the median is
// taken, as benchmark tools report a typical sample (hyperfine, criterion).
// Limits on a peak are judged on the worst round instead: a process that
// passed 250 MiB once did pass it.
import type { CpuUse } from "./cpu.ts";
import type { LoadResult } from "./load.ts";
import type { MemoryPeak } from "./memory.ts";
import { SCENARIO_TITLES, type ScenarioId } from "./scenarios.ts";

export type Row = {
  id: ScenarioId | "floor";
  title: string;
  load: LoadResult;
  memory: MemoryPeak;
  cpu: CpuUse;
  shareOfFloor: number | null;
};

export type Target = { target: string; measured: string; met: boolean | null };

const MiB = 2 ** 20;
const PEAK_PER_PROCESS_LIMIT = 250 * MiB;

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : "-");
const percent = (value: number | null) => (value === null ? "-" : `${(value * 100).toFixed(1)}%`);

export function rowOf(id: ScenarioId | "floor", load: LoadResult, memory: MemoryPeak, cpu: CpuUse, floor: LoadResult | null): Row {
  const shareOfFloor = floor && floor.requestsPerSecond > 0 ? load.requestsPerSecond / floor.requestsPerSecond : null;
  return { id, title: SCENARIO_TITLES[id], load, memory, cpu, shareOfFloor };
}

/** The rows of one round: the floor's and each scenario's, measured one after another. */
export type Round = Row[];

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/**
 * One scenario over every round, for the table: the median of what varies
 * from round to round (throughput, latency percentiles, CPU, share of the
 * floor), the worst of what is a peak (max latency, memory), and the total
 * of what is counted (requests, errors).
 */
export function summaryRow(rows: Row[]): Row {
  const of = <T>(pick: (row: Row) => T) => rows.map(pick);
  const loads = of((row) => row.load);
  const shares = of((row) => row.shareOfFloor).filter((share): share is number => share !== null);
  const statusCodes: Record<string, number> = {};
  for (const load of loads) for (const [code, count] of Object.entries(load.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  const databaseCores = of((row) => row.cpu.databaseCores).filter((cores): cores is number => cores !== null);
  return {
    id: rows[0]!.id,
    title: rows[0]!.title,
    load: {
      requestsPerSecond: median(of((row) => row.load.requestsPerSecond)),
      requests: sum(of((row) => row.load.requests)),
      durationSeconds: sum(of((row) => row.load.durationSeconds)),
      latencyMs: {
        mean: median(of((row) => row.load.latencyMs.mean)),
        p50: median(of((row) => row.load.latencyMs.p50)),
        p90: median(of((row) => row.load.latencyMs.p90)),
        p99: median(of((row) => row.load.latencyMs.p99)),
        max: Math.max(...of((row) => row.load.latencyMs.max)),
      },
      errors: sum(of((row) => row.load.errors)),
      timeouts: sum(of((row) => row.load.timeouts)),
      non2xx: sum(of((row) => row.load.non2xx)),
      badBodies: sum(of((row) => row.load.badBodies)),
      statusCodes,
    },
    memory: {
      totalBytes: Math.max(...of((row) => row.memory.totalBytes)),
      maxProcessBytes: Math.max(...of((row) => row.memory.maxProcessBytes)),
      totalAtOnceBytes: Math.max(...of((row) => row.memory.totalAtOnceBytes)),
      processes: Math.max(...of((row) => row.memory.processes)),
    },
    cpu: {
      serverCores: median(of((row) => row.cpu.serverCores)),
      loadGeneratorCores: median(of((row) => row.cpu.loadGeneratorCores)),
      serverMsPerRequest: median(of((row) => row.cpu.serverMsPerRequest)),
      databaseCores: databaseCores.length > 0 ? median(databaseCores) : null,
      otherCores: median(of((row) => row.cpu.otherCores)),
    },
    shareOfFloor: shares.length > 0 ? median(shares) : null,
  };
}

/** One summary row per scenario (the floor first), in the order of the first round. */
export function summaryRows(rounds: Round[]): Row[] {
  return rounds[0]!.map(({ id }) => summaryRow(rounds.map((round) => round.find((row) => row.id === id)!)));
}

/** Each round's requests/s and p99, scenario by scenario: how far the rounds agreed. */
export function formatRounds(rounds: Round[]): string {
  return renderTable(
    ["scenario", ...rounds.map((_, index) => `round ${index + 1} req/s (p99 ms)`)],
    rounds[0]!.map(({ id, title }) => [
      title,
      ...rounds.map((round) => {
        const row = round.find((candidate) => candidate.id === id)!;
        return `${fixed(row.load.requestsPerSecond, 0)} (${fixed(row.load.latencyMs.p99, 1)})`;
      }),
    ]),
  );
}

function renderTable(header: string[], lines: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const render = (cells: string[]) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!))).join("  ");
  return [render(header), widths.map((width) => "-".repeat(width)).join("  "), ...lines.map(render)].join("\n");
}

/** Two tables, so each fits a terminal: what the clients saw, and what it cost the machine. */
export function formatTable(rows: Row[]): string {
  const load = renderTable(
    ["scenario", "req/s", "of floor", "p50 ms", "p99 ms", "max ms", "requests", "errors", "timeouts", "non-2xx", "bad body"],
    rows.map((row) => [
      row.title,
      fixed(row.load.requestsPerSecond, 0),
      row.id === "floor" ? "100%" : percent(row.shareOfFloor),
      fixed(row.load.latencyMs.p50, 2),
      fixed(row.load.latencyMs.p99, 2),
      fixed(row.load.latencyMs.max, 2),
      String(row.load.requests),
      String(row.load.errors),
      String(row.load.timeouts),
      String(row.load.non2xx),
      String(row.load.badBodies),
    ]),
  );
  const resources = renderTable(
    ["scenario", "peak RSS sum MiB", "max/process MiB", "processes", "CPU ms/req", "server cores", "loadgen cores", "db cores", "other cores"],
    rows.map((row) => [
      row.title,
      fixed(row.memory.totalBytes / MiB, 0),
      fixed(row.memory.maxProcessBytes / MiB, 0),
      String(row.memory.processes),
      fixed(row.cpu.serverMsPerRequest, 2),
      fixed(row.cpu.serverCores, 2),
      fixed(row.cpu.loadGeneratorCores, 2),
      row.cpu.databaseCores === null ? "-" : fixed(row.cpu.databaseCores, 2),
      fixed(row.cpu.otherCores, 2),
    ]),
  );
  return `${load}\n\n${resources}`;
}

/**
 * The targets, each met, missed, or not measured in this run (null).
 * Each is worked out in every round, from that round's rows; a ratio or a
 * percentile is then judged on its median round, a peak on its worst.
 */
export function judgeTargets(rounds: Round[]): Target[] {
  const targets: Target[] = [];
  const add = (
    target: string,
    valueIn: (round: Round) => number | null,
    met: (value: number) => boolean,
    measured: (value: number) => string,
    over: "median" | "worst" = "median",
  ) => {
    const values = rounds.map(valueIn).filter((value): value is number => value !== null);
    if (values.length === 0) return targets.push({ target, measured: "not run", met: null });
    const value = over === "median" ? median(values) : Math.max(...values);
    const each = values.length > 1 ? ` (${over === "median" ? "median" : "worst"} of ${values.map(measured).join(", ")})` : "";
    return targets.push({ target, measured: `${measured(value)}${each}`, met: met(value) });
  };
  const row = (round: Round, id: Row["id"]) => round.find((candidate) => candidate.id === id);
  const relative = (id: ScenarioId, to: ScenarioId) => (round: Round) => {
    const [scenario, reference] = [row(round, id), row(round, to)];
    return scenario && reference && reference.load.requestsPerSecond > 0 ? scenario.load.requestsPerSecond / reference.load.requestsPerSecond : null;
  };
  const p99Under = (id: ScenarioId, limitMs: number, target: string) =>
    add(`${target} p99 < ${limitMs} ms`, (round) => row(round, id)?.load.latencyMs.p99 ?? null, (v) => v < limitMs, (v) => `${fixed(v, 2)} ms`);

  add("(a) REST >= 12% of the floor's req/s", (round) => row(round, "a")?.shareOfFloor ?? null, (v) => v >= 0.12, percent);
  p99Under("a", 50, "(a) REST");
  add("(b) random tokens within 15% of (a)", relative("b", "a"), (v) => Math.abs(1 - v) <= 0.15, percent);
  add("(c) GraphQL user >= 60% of (a)", relative("c", "a"), (v) => v >= 0.6, percent);
  p99Under("c", 50, "(c) GraphQL user");
  add("(d) ten aliased users >= 20% of (a)", relative("d", "a"), (v) => v >= 0.2, percent);
  p99Under("d", 150, "(d) ten aliased users");
  p99Under("e", 150, "(e) largest hub over REST");
  const largestProcess = (round: Round) => {
    const services = round.filter((candidate) => candidate.id !== "floor");
    return services.length ? Math.max(...services.map((service) => service.memory.maxProcessBytes)) : null;
  };
  add("peak memory <= 250 MiB per process", largestProcess, (v) => v <= PEAK_PER_PROCESS_LIMIT, (v) => `${fixed(v / MiB, 0)} MiB`, "worst");
  for (const summary of summaryRows(rounds)) {
    const failures = summary.load.errors + summary.load.non2xx + summary.load.badBodies;
    if (failures > 0) targets.push({ target: `${summary.title}: every answer a good 2xx`, measured: `${failures} failed`, met: false });
  }
  return targets;
}

export function formatTargets(targets: Target[]): string {
  return targets
    .map(({ target, measured, met }) => `  ${met === null ? "n/a " : met ? "met " : "MISS"}  ${target.padEnd(42)} ${measured}`)
    .join("\n");
}
