// WEB_CONCURRENCY > 1: the figures of every worker, added up by the primary
// with prom-client's AggregatorRegistry (which asks each worker over
// node:cluster's IPC; counters and histograms are summed, and so are the pool's
// gauges). A scrape reaches one worker when it comes on the main port: that
// worker asks the primary for the sum, over the same IPC, so that every scrape
// sees the whole instance and never one worker's share.
import cluster from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import type { ReadMetrics } from "./scrape.ts";

const REQUEST = "users-gateway:metrics-request";
const ANSWER = "users-gateway:metrics-answer";
/** prom-client gives up on a worker after 5 s; a little more, so its error is the one reported. */
const ANSWER_TIMEOUT_MS = 6_000;

type Answer = { type: typeof ANSWER; id: number; text?: string; error?: string };

/** In the primary: the sum of the workers' figures, and answers to workers that ask for it. */
export function aggregateWorkerMetrics(): ReadMetrics {
  const aggregator = new AggregatorRegistry();
  const read: ReadMetrics = async () => ({ text: await aggregator.clusterMetrics(), contentType: aggregator.contentType });
  cluster.on("message", (worker, message: { type?: unknown; id?: unknown }) => {
    if (message?.type !== REQUEST || typeof message.id !== "number") return;
    const id = message.id;
    read().then(
      ({ text }) => worker.isConnected() && worker.send({ type: ANSWER, id, text } satisfies Answer),
      (error: Error) => worker.isConnected() && worker.send({ type: ANSWER, id, error: error.message } satisfies Answer),
    );
  });
  return read;
}

let nextId = 0;

/** In a worker: the instance's figures, from its primary. */
export const metricsFromPrimary: ReadMetrics = () =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    const onMessage = (message: Partial<Answer>) => {
      if (message?.type !== ANSWER || message.id !== id) return;
      done();
      if (message.text !== undefined) resolve({ text: message.text, contentType: AggregatorRegistry.PROMETHEUS_CONTENT_TYPE });
      else reject(new Error(`the primary could not collect the workers' metrics: ${message.error}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error("the primary did not answer with the workers' metrics"));
    }, ANSWER_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      process.off("message", onMessage);
    };
    process.on("message", onMessage);
    process.send!({ type: REQUEST, id });
  });
