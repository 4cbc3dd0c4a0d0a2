// WEB_CONCURRENCY > 1: after the starting process has prepared the database
// (src/index.ts), it runs that many node:cluster workers, which share its port
// (the primary hands out connections round-robin, Node's default outside
// Windows). It replaces a worker that dies, and on SIGTERM or SIGINT tells
// every worker to drain, then exits once all have.
import cluster, { type Worker } from "node:cluster";
import type { AddressInfo } from "node:net";
import type { Logger } from "./logger.ts";

export class WorkerStartError extends Error {}

/** A replacement waits this long, so that a worker that dies at once does not spin the CPU. */
const REPLACEMENT_DELAY_MS = 1_000;

/**
 * Forks `count` workers; resolves with the address they listen on once every
 * one does. When one exits before listening, the others are stopped, and it
 * rejects once they all have exited (so its message is the last line).
 */
export function startWorkers(count: number, logger: Logger): Promise<AddressInfo> {
  const live = new Set<Worker>();
  const listening = new Set<Worker>();
  let started = false;
  let stopping = false;
  let startFailure: WorkerStartError | null = null;

  const stopAll = () => {
    stopping = true;
    for (const worker of live) worker.process.kill("SIGTERM");
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    logger.info(`${signal}: telling ${live.size} workers to drain, then stopping.`);
    stopAll();
    if (live.size === 0) process.exit(0);
  };
  // Before the first fork: a signal sent as soon as the port opens must drain, not kill.
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));

  return new Promise((resolve, reject) => {
    const fork = () => {
      const worker = cluster.fork();
      live.add(worker);
      worker.once("listening", (address) => {
        listening.add(worker);
        if (!started && listening.size === count) {
          started = true;
          resolve({ address: address.address, port: address.port, family: address.addressType === 6 ? "IPv6" : "IPv4" });
        }
      });
      worker.once("exit", (code, signal) => {
        live.delete(worker);
        listening.delete(worker);
        const how = signal ?? `code ${code}`;
        if (!stopping && !started) {
          startFailure = new WorkerStartError(`a worker exited (${how}) before listening; its reason is above`);
          stopAll();
        } else if (!stopping) {
          logger.error(`Worker ${worker.process.pid} exited (${how}); starting another.`);
          setTimeout(() => stopping || fork(), REPLACEMENT_DELAY_MS);
          return;
        }
        if (live.size > 0) return;
        if (startFailure) reject(startFailure);
        else process.exit(0);
      });
    };
    for (let i = 0; i < count; i++) fork();
  });
}
