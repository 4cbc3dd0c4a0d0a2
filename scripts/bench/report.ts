// What a run prints and writes: one table row per scenario and the floor, the
// issue's targets judged against them, and the same as JSON for comparisons
// between runs.
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

/** The targets, each met, missed, or not measured in this run (null). */
export function judgeTargets(rows: Row[]): Target[] {
  const by = (id: Row["id"]) => rows.find((row) => row.id === id);
  const [a, b, c, d, e] = (["a", "b", "c", "d", "e"] as const).map(by);
  const relative = (row: Row | undefined, to: Row | undefined) =>
    row && to && to.load.requestsPerSecond > 0 ? row.load.requestsPerSecond / to.load.requestsPerSecond : null;
  const targets: Target[] = [];
  const add = (target: string, value: number | null, met: (value: number) => boolean, measured: (value: number) => string) =>
    targets.push(value === null ? { target, measured: "not run", met: null } : { target, measured: measured(value), met: met(value) });

  const p99Under = (row: Row | undefined, limitMs: number, target: string) =>
    add(`${target} p99 < ${limitMs} ms`, row ? row.load.latencyMs.p99 : null, (v) => v < limitMs, (v) => `${fixed(v, 2)} ms`);

  add("(a) REST >= 12% of the floor's req/s", a?.shareOfFloor ?? null, (v) => v >= 0.12, percent);
  p99Under(a, 50, "(a) REST");
  add("(b) random tokens within 15% of (a)", relative(b, a), (v) => Math.abs(1 - v) <= 0.15, percent);
  add("(c) GraphQL user >= 60% of (a)", relative(c, a), (v) => v >= 0.6, percent);
  p99Under(c, 50, "(c) GraphQL user");
  add("(d) ten aliased users >= 20% of (a)", relative(d, a), (v) => v >= 0.2, percent);
  p99Under(d, 150, "(d) ten aliased users");
  p99Under(e, 150, "(e) largest hub over REST");
  const services = rows.filter((row) => row.id !== "floor");
  const largest = services.length ? Math.max(...services.map((row) => row.memory.maxProcessBytes)) : null;
  add("peak memory <= 250 MiB per process", largest, (v) => v <= PEAK_PER_PROCESS_LIMIT, (v) => `${fixed(v / MiB, 0)} MiB`);
  for (const row of rows) {
    const failures = row.load.errors + row.load.non2xx + row.load.badBodies;
    if (failures > 0) targets.push({ target: `${row.title}: every answer a good 2xx`, measured: `${failures} failed`, met: false });
  }
  return targets;
}

export function formatTargets(targets: Target[]): string {
  return targets
    .map(({ target, measured, met }) => `  ${met === null ? "n/a " : met ? "met " : "MISS"}  ${target.padEnd(42)} ${measured}`)
    .join("\n");
}
