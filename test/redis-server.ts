// A real redis-server for the throttling tests, on a free loopback port, with
// nothing written to disk; started and stopped by the test that needs it.
// Debian's redis-server package provides it (.ci/run installs it; without it
// those tests skip, but never in CI: test/requirements.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { REDIS_SERVER } from "./requirements.ts";


/** A port nobody listens on now (the kernel's pick, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export type RedisServer = { url: string; port: number; stop(): Promise<void>; start(): Promise<void> };

/** Starts redis-server; `stop` and `start` take it down and bring it back on the same port. */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | null = null;

  async function start() {
    const started = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = started;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (/Ready to accept connections/.test(output)) resolve();
      };
      started.stdout!.on("data", onData);
      started.stderr!.on("data", onData);
      started.once("exit", (code) => reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)));
    });
  }

  async function stop() {
    const running = child;
    if (!running || running.exitCode !== null) return;
    child = null;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  }

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}
