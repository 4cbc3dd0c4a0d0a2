// The service as a real process, started as `npm start` starts it (without
// npm in between, so that signals reach the service itself).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("..", import.meta.url);

export type ServiceProcess = {
  child: ChildProcess;
  /** The origin it listens on, once it says so; rejects if it exits first. */
  origin: Promise<string>;
  /** Resolves when it exits, with its code and everything it printed. */
  exited: Promise<{ code: number | null; output: string }>;
  /** Resolves once its output shows `pattern`. */
  sees(pattern: RegExp): Promise<void>;
  /** Everything it has printed so far. */
  output(): string;
};

/**
 * `cwd` runs it from another folder (where the default database then goes);
 * the start script's module paths are made absolute so that it still finds them.
 * The script runs in `sh`, as npm runs it (its environment settings included),
 * which `exec`s node: the child is the service itself.
 */
export function startService(env: Record<string, string>, { cwd = fileURLToPath(root) }: { cwd?: string } = {}): ServiceProcess {
  const script = JSON.parse(readFileSync(new URL("package.json", root), "utf8")).scripts.start as string;
  const words = script.split(" ");
  const nodeAt = words.findIndex((word) => !/^[A-Z_][A-Z0-9_]*=/.test(word));
  if (words[nodeAt] !== "node") throw new Error(`expected the start script to run node, after its environment settings: ${script}`);
  const absoluteWords = words.map((word, index) => {
    if (index <= nodeAt) return index === nodeAt ? JSON.stringify(process.execPath) : word;
    if (words[index - 1] === "--import") return import.meta.resolve(word);
    return /\.(ts|mjs)$/.test(word) ? fileURLToPath(new URL(word, root)) : word;
  });
  const settings = absoluteWords.slice(0, nodeAt).join(" ");
  const child = spawn("/bin/sh", ["-c", `${settings} exec ${absoluteWords.slice(nodeAt).join(" ")}`], {
    cwd,
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });

  let output = "";
  const watchers: { pattern: RegExp; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk;
    for (const watcher of watchers) if (watcher.pattern.test(output)) watcher.resolve();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const exited = new Promise<{ code: number | null; output: string }>((resolve) =>
    // "close", not "exit": it comes after the last of its output has been read.
    child.once("close", (code) => resolve({ code, output })),
  );
  const sees = (pattern: RegExp) =>
    new Promise<void>((resolve) => {
      watchers.push({ pattern, resolve });
      if (pattern.test(output)) resolve();
    });
  const origin = Promise.race([
    sees(/listening on http:\/\/[^:]+:\d+/).then(() => {
      const port = /listening on http:\/\/[^:]+:(\d+)/.exec(output)![1];
      return `http://127.0.0.1:${port}`;
    }),
    exited.then(({ code }) => {
      throw new Error(`the service exited with ${code} before listening:\n${output}`);
    }),
  ]);
  origin.catch(() => {}); // Observed by whoever awaits it; not an unhandled rejection otherwise.
  return { child, origin, exited, sees, output: () => output };
}

/** The service's log records in `output`: its JSON lines (its form when stderr is not a terminal), parsed; other lines are skipped. */
export function logRecords(output: string): ({ level: string; msg: string } & Record<string, unknown>)[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line));
}
