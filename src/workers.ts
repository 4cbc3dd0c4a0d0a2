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

/** Forks `count` workers; resolves with the address they listen on once every one does. */
export function startWorkers(count: number, logger: Logger): Promise<AddressInfo> {
  let started = false;
  let stopping = false;
  const listening = new Set<Worker>();

  const liveWorkers = () => Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: telling ${liveWorkers().length} workers to drain, then stopping.`);
    for (const worker of liveWorkers()) worker.process.kill("SIGTERM");
    if (liveWorkers().length === 0) process.exit(0);
  };
  // Before the first fork: a signal sent as soon as the port opens must drain, not kill.
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));

  return new Promise((resolve, reject) => {
    const fork = () => {
      const worker = cluster.fork();
      worker.once("listening", (address) => {
        listening.add(worker);
        if (!started && listening.size === count) {
          started = true;
          resolve({ address: address.address, port: address.port, family: address.addressType === 6 ? "IPv6" : "IPv4" });
        }
      });
      worker.once("exit", (code, signal) => {
        listening.delete(worker);
        if (stopping) {
          if (liveWorkers().length === 0) process.exit(0);
          return;
        }
        const how = signal ?? `code ${code}`;
        if (!started) {
          stopping = true;
          for (const other of liveWorkers()) other.process.kill("SIGTERM");
          reject(new WorkerStartError(`a worker exited (${how}) before listening; its reason is above`));
          return;
        }
        logger.error(`Worker ${worker.process.pid} exited (${how}); starting another.`);
        setTimeout(() => stopping || fork(), REPLACEMENT_DELAY_MS);
      });
    };
    for (let i = 0; i < count; i++) fork();
  });
}
