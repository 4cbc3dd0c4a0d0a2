// The processes under load: the service, started as `npm start` starts it
// (test/service-process.ts runs the start script's own node command), and the
// floor server. Each is stopped with SIGTERM, as an orchestrator would, and
// killed if it does not exit in time.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "../postgres-cluster.ts";
import { startService } from "../../test/service-process.ts";

export type RunningProcess = {
  name: string;
  pid: number;
  origin: string;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
};

const STOP_GRACE_MS = 15_000;

function stopper(child: ChildProcess, exited: Promise<unknown>) {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
}

/** Resolves once GET /healthz answers 200; rejects when `exited` settles first or after `timeoutMs`. */
async function waitUntilHealthy(origin: string, exited: Promise<unknown>, describe: () => string, timeoutMs = 60_000) {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the service exited before it was healthy:\n${describe()}`);
    try {
      const response = await fetch(`${origin}/healthz`);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the service was not healthy within ${timeoutMs / 1000} s:\n${describe()}`);
}

/**
 * The service on a known free port: with LOG_LEVEL=warn its banner (which
 * names the port when PORT=0) is not printed, and info-level logging would
 * cost time under load.
 */
export async function startServiceProcess(
  name: string,
  { databaseUrl, webConcurrency }: { databaseUrl: string; webConcurrency: number | null },
): Promise<RunningProcess> {
  const port = await freePort();
  const service = startService({
    DATABASE_URL: databaseUrl,
    DEMO_DATA: "false",
    LOG_LEVEL: "warn",
    PORT: String(port),
    ...(webConcurrency === null ? {} : { WEB_CONCURRENCY: String(webConcurrency) }),
  });
  let output = "";
  service.child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
  service.child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  const origin = `http://127.0.0.1:${port}`;
  const stop = stopper(service.child, service.exited);
  try {
    await waitUntilHealthy(origin, service.exited, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name, pid: service.child.pid!, origin, output: () => output, stop };
}

const floorScript = fileURLToPath(new URL("floor-server.mjs", import.meta.url));

/** The floor server with plain node (no TypeScript loader), on any free port it reports. */
export async function startFloorProcess(databaseFile: string): Promise<RunningProcess> {
  const child = spawn(process.execPath, [floorScript], {
    env: { ...process.env, FLOOR_DATABASE_FILE: databaseFile, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const origin = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /floor listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then(() => reject(new Error(`the floor server exited before listening:\n${output}`)));
  });
  return { name: "floor", pid: child.pid!, origin, output: () => output, stop: stopper(child, exited) };
}
