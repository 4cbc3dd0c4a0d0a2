// The bench's command line: `npm run bench -- [options]`.
import { parseArgs } from "node:util";
import { SCENARIO_IDS, type ScenarioId } from "./scenarios.ts";

export type BenchOptions = {
  users: number;
  seed: number;
  engine: "sqlite" | "postgres";
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  rounds: number;
  scenarios: ScenarioId[];
  webConcurrency: number | null;
  rebuild: boolean;
  jsonPath: string | null;
};

export const USAGE = `Usage: npm run bench -- [options]

  --users N             users in the generated data set (default 2000)
  --seed N              seed of the data set and of the request sequence (default 1)
  --engine E            sqlite (default) or postgres (a throwaway cluster; the floor stays on SQLite)
  --duration S          seconds measured per scenario (default 10)
  --warmup S            seconds of the same load before, not counted (default 3)
  --connections N       concurrent connections (default 50)
  --rounds N            times the floor and every scenario are measured, one after another (default 3);
                        the figures and targets are each scenario's median round, its memory its worst
  --scenarios LIST      a subset of ${SCENARIO_IDS.join(",")} (default all)
  --web-concurrency N   passes WEB_CONCURRENCY=N to the service
  --rebuild             build the data set again even when it is cached
  --json PATH           where to write the results (default: a timestamped file under the cache folder)
  --help                this text`;

export class UsageError extends Error {}

function wholeNumber(name: string, text: string, min: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= min)) throw new UsageError(`--${name}: expected a whole number >= ${min}, got "${text}"`);
  return value;
}

export function parseOptions(args: string[]): BenchOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        users: { type: "string", default: "2000" },
        seed: { type: "string", default: "1" },
        engine: { type: "string", default: "sqlite" },
        duration: { type: "string", default: "10" },
        warmup: { type: "string", default: "3" },
        connections: { type: "string", default: "50" },
        rounds: { type: "string", default: "3" },
        scenarios: { type: "string", default: SCENARIO_IDS.join(",") },
        "web-concurrency": { type: "string" },
        rebuild: { type: "boolean", default: false },
        json: { type: "string" },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";
  if (values.engine !== "sqlite" && values.engine !== "postgres") {
    throw new UsageError(`--engine: expected sqlite or postgres, got "${values.engine}"`);
  }
  const scenarios = values.scenarios.split(",").map((id) => id.trim());
  for (const id of scenarios) {
    if (!(SCENARIO_IDS as readonly string[]).includes(id)) throw new UsageError(`--scenarios: unknown scenario "${id}" (expected some of ${SCENARIO_IDS.join(",")})`);
  }
  return {
    users: wholeNumber("users", values.users, 5),
    seed: wholeNumber("seed", values.seed, 0),
    engine: values.engine,
    durationSeconds: wholeNumber("duration", values.duration, 1),
    warmupSeconds: wholeNumber("warmup", values.warmup, 0),
    connections: wholeNumber("connections", values.connections, 1),
    rounds: wholeNumber("rounds", values.rounds, 1),
    // In the order a, b, c, d whatever order was given, each once.
    scenarios: SCENARIO_IDS.filter((id) => scenarios.includes(id)),
    webConcurrency: values["web-concurrency"] === undefined ? null : wholeNumber("web-concurrency", values["web-concurrency"], 1),
    rebuild: values.rebuild,
    jsonPath: values.json ?? null,
  };
}
