// `npm run bench`: a load benchmark of the real service, against the floor of
// what the same answers cost with no framework and no ORM. See options.ts for
// the command line; the data set is described in dataset.ts.
//
// One service process per scenario, each on its own fresh copy of the data
// (a copy of the cached SQLite file, or a database made from a template on
// PostgreSQL): a scenario's peak memory is its own, and no scenario inherits
// another's warm caches, heap or last_seen_at writes. The floor runs first in
// each round (report.ts says why there are rounds), on SQLite whatever the
// engine, after the check that it answers as the service does.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { compareFloorWithService } from "./check.ts";
import { startCpuCount } from "./cpu.ts";
import { CACHE_ROOT, cachedSqliteDataset, generate, type BuildTimes } from "./dataset-cache.ts";
import { measureLoad, type LoadResult } from "./load.ts";
import { watchMemory } from "./memory.ts";
import { parseOptions, USAGE, UsageError, type BenchOptions } from "./options.ts";
import { startBenchPostgres, type BenchPostgres } from "./postgres.ts";
import { startFloorProcess, startServiceProcess, type RunningProcess } from "./processes.ts";
import { formatRounds, formatTable, formatTargets, judgeTargets, rowOf, summaryRows, type Round, type Row } from "./report.ts";
import { requestSources, SCENARIO_TITLES } from "./scenarios.ts";

const log = (line: string) => console.log(line);

// Whatever was started is stopped and removed, on success, failure or a signal.
const cleanups: (() => void | Promise<void>)[] = [];
async function cleanUp() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      console.error(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the processes the bench started …`);
    void cleanUp().then(() => process.exit(signal === "SIGINT" ? 130 : 143));
  });
}

/** Runs the load against `target` while watching its memory and, over the measured seconds, the CPU. */
async function measure(
  target: RunningProcess,
  id: Row["id"],
  { options, sources, floor, databasePid }: { options: BenchOptions; sources: ReturnType<typeof requestSources>; floor: LoadResult | null; databasePid: number | null },
) {
  const memory = watchMemory(target.pid);
  let cpu: ReturnType<typeof startCpuCount> | undefined;
  const settings = { connections: sources[id].connections ?? options.connections, durationSeconds: options.durationSeconds, warmupSeconds: options.warmupSeconds };
  const load = await measureLoad(target.origin, sources[id], settings, () => (cpu = startCpuCount(target.pid, databasePid)));
  const row = rowOf(id, load, memory.stop(), cpu!.finish(load.requests), floor);
  log(
    `  ${SCENARIO_TITLES[id]}: ${load.requestsPerSecond.toFixed(0)} req/s, p99 ${load.latencyMs.p99.toFixed(2)} ms, ` +
      `server ${row.cpu.serverMsPerRequest.toFixed(2)} CPU ms/request` +
      (load.errors + load.non2xx + load.badBodies > 0 ? `, ${load.errors} errors, ${load.non2xx} non-2xx, ${load.badBodies} bad bodies` : ""),
  );
  return row;
}

function describeStats(stats: Record<string, number | number[]>): string {
  const hubs = (stats.hubInvitees as number[]).join("/");
  return (
    `${stats.admins} admins, ${stats.inactive} inactive users, readers: ${stats.readerAdmins} admins, ` +
    `${stats.readerStaffDirect} staff with 1222 directly, ${stats.readerStaffGroup} through a group; ` +
    `hubs with ${hubs} invitees, invite chains up to ${stats.deepestInviteChain} deep, ${stats.tokens} tokens in all`
  );
}

async function main() {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === "help") {
    console.log(USAGE);
    return;
  }
  const options = parsed;
  const startedAt = new Date();

  const dataset = await cachedSqliteDataset(options.users, options.seed, { rebuild: options.rebuild, log });
  const { manifest } = dataset;
  const build: { sqlite: BuildTimes | null; postgres?: Omit<BuildTimes, "generateSeconds"> } = { sqlite: dataset.built };
  if (dataset.built) {
    const b = dataset.built;
    log(
      `data set built in ${(b.generateSeconds + b.parseSeconds + b.migrateSeconds + b.importSeconds).toFixed(1)} s ` +
        `(generate ${b.generateSeconds.toFixed(1)}, parse ${b.parseSeconds.toFixed(1)}, migrate ${b.migrateSeconds.toFixed(1)}, import ${b.importSeconds.toFixed(1)})`,
    );
  } else {
    log(`data set from the cache: ${dataset.file} (--rebuild builds it again)`);
  }

  const scratch = mkdtempSync(join(tmpdir(), "users-gateway-bench-"));
  cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
  const copyOfDataset = (name: string) => {
    const file = join(scratch, `${name}.db`);
    copyFileSync(dataset.file, file);
    return file;
  };

  let postgres: BenchPostgres | null = null;
  if (options.engine === "postgres") {
    const { fixture } = generate(options.users, options.seed);
    const started = await startBenchPostgres(fixture, log);
    postgres = started.postgres;
    cleanups.push(() => started.postgres.destroy());
    build.postgres = started.times;
    log(`PostgreSQL data set imported in ${(started.times.migrateSeconds + started.times.parseSeconds + started.times.importSeconds).toFixed(1)} s (import ${started.times.importSeconds.toFixed(1)})`);
  }

  log(
    [
      "",
      `engine ${options.engine}, ${options.users} users (seed ${options.seed}, ${manifest.visibleIds.length} readable, ${manifest.requesters.length} requester tokens), ` +
        `Node ${process.version}, ${availableParallelism()} cores`,
      `${options.connections} connections, ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s measured per scenario, ${options.rounds} round${options.rounds === 1 ? "" : "s"}` +
        (options.webConcurrency === null ? "" : `, WEB_CONCURRENCY=${options.webConcurrency}`),
      `data set: ${describeStats(manifest.stats)}`,
      "the load generator runs in this process, on the same cores as the server it measures",
      "",
    ].join("\n"),
  );

  const sources = requestSources(manifest, options.seed);
  const startService = async (id: string) => {
    const databaseUrl = postgres ? await postgres.databaseFor(id) : `file:${copyOfDataset(id)}`;
    const service = await startServiceProcess(id, { databaseUrl, webConcurrency: options.webConcurrency });
    cleanups.push(() => service.stop());
    return service;
  };

  const rounds: Round[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    if (options.rounds > 1) log(`round ${round} of ${options.rounds}`);
    rounds.push(await measureRound(round === 1));
  }
  // Each a fresh process on a fresh copy of the data, the floor first.
  async function measureRound(checkFloor: boolean): Promise<Round> {
    const floorProcess = await startFloorProcess(copyOfDataset("floor"));
    cleanups.push(() => floorProcess.stop());
    const rows: Round = [];
    let floor: LoadResult | null = null;
    for (const id of options.scenarios) {
      const service = await startService(id);
      if (floor === null) {
        if (checkFloor) {
          // Any service serves the REST route: the first one is used for the check.
          const differences = await compareFloorWithService(floorProcess.origin, service.origin, manifest, options.seed);
          if (differences.length > 0) {
            throw new Error(`the floor does not answer as the service does, so it measures something else:\n${differences.slice(0, 5).join("\n")}`);
          }
          log("floor check: same status and body as the service (is_online aside) for the hubs, 40 random readable ids, 2 missing ids and a bad key");
        }
        const floorRow = await measure(floorProcess, "floor", { options, sources, floor: null, databasePid: null });
        rows.push(floorRow);
        floor = floorRow.load;
        await floorProcess.stop();
      }
      rows.push(await measure(service, id, { options, sources, floor, databasePid: postgres?.serverPid ?? null }));
      await service.stop();
    }
    return rows;
  }

  const rows = summaryRows(rounds);
  const targets = judgeTargets(rounds);
  const roundsTable = options.rounds > 1 ? `\n\n${formatRounds(rounds)}\n\nabove: each scenario's median round (max ms and memory: its worst round)` : "";
  log(`\n${formatTable(rows)}${roundsTable}\n\ntargets of the issue (measured here, on this machine):\n${formatTargets(targets)}`);

  const jsonPath = options.jsonPath ?? join(CACHE_ROOT, "results", `bench-${startedAt.toISOString().replace(/[:.]/g, "-")}-${options.engine}.json`);
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(
    jsonPath,
    JSON.stringify(
      {
        startedAt: startedAt.toISOString(),
        engine: options.engine,
        users: options.users,
        seed: options.seed,
        node: process.version,
        cores: availableParallelism(),
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        webConcurrency: options.webConcurrency,
        dataset: { file: dataset.file, stats: manifest.stats, build },
        // Each scenario's median round (its worst for max latency and memory), then every round's own rows.
        rows,
        rounds,
        targets,
      },
      null,
      2,
    ),
  );
  log(`\nresults written to ${jsonPath}`);
}

main()
  .catch((error) => {
    process.exitCode = error instanceof UsageError ? 2 : 1;
    console.error(error instanceof UsageError ? `${error.message}\n\n${USAGE}` : `bench failed: ${error instanceof Error ? error.message : String(error)}`);
  })
  .finally(async () => {
    await cleanUp();
    // autocannon's and pg's leftover timers must not keep a finished run waiting.
    process.exit();
  });
