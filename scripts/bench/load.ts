// The load: autocannon's programmatic API, a fixed number of connections for a
// fixed time after a warm-up of the same load. It runs in the bench's own
// process, so it shares the machine's cores with the process under load, as
// the issue's own measurements did.
//
// The warm-up and the measured seconds are one run over the same connections,
// and only the requests sent after the warm-up count. Two runs, as before,
// opened 50 new connections at the start of the measured seconds, beside the
// warm-up's closing ones. A busy server then accepted them one per turn of its
// event loop (its "connection" events came a turn apart, the bare node:http
// floor's too), so the last one waited that many turns for its first answer:
// up to 8 s under (f), whose 1,100–1,500 requests made those 50 its p99
// (4.35 s, against 0.53 s for the same service measured this way). A steady
// load does not have that queue; it was the benchmark's own making.
//
// Latencies are taken from every 2xx response's own timing (microsecond
// resolution) rather than from autocannon's histogram, which keeps whole
// milliseconds: too coarse for the floor, whose answers take about one.
import type { EventEmitter } from "node:events";
import autocannon from "autocannon";

export type LoadSettings = { connections: number; durationSeconds: number; warmupSeconds: number };

export type RequestSource = {
  /** autocannon request template; setupRequest picks the id and token of each request. */
  request: autocannon.Request;
  /** False for a 2xx whose body is not a real answer (a GraphQL error, a null user). */
  verifyBody(body: string): boolean;
  /** Concurrent connections, when the scenario fixes them (else --connections). */
  connections?: number;
};

export type LoadResult = {
  /** Answers to the requests sent in the measured seconds, per measured second. */
  requestsPerSecond: number;
  requests: number;
  durationSeconds: number;
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** Connection errors and timeouts (autocannon counts timeouts among errors). */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** 2xx answers whose body failed verifyBody. */
  badBodies: number;
  statusCodes: Record<string, number>;
};

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** Grows by doubling: a run's response count is not known beforehand. */
class Latencies {
  private values = new Float64Array(1 << 16);
  count = 0;
  add(value: number) {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.count++] = value;
  }
  sorted(): Float64Array {
    return this.values.slice(0, this.count).sort();
  }
}

/**
 * `onMeasuredStart` is called when the warm-up ends and the measured seconds
 * begin, to start counters of its own.
 */
export async function measureLoad(
  origin: string,
  source: RequestSource,
  settings: LoadSettings,
  onMeasuredStart: () => void = () => {},
): Promise<LoadResult> {
  const latencies = new Latencies();
  const statusCodes: Record<string, number> = {};
  let non2xx = 0;
  let badBodies = 0;
  let errors = 0;
  let timeouts = 0;
  // A response counts when its request was sent after the warm-up.
  let measuredFrom = Infinity;
  let lastResponseCounted = false;
  // Without a callback it returns its tracker, an EventEmitter that is also a promise of the result.
  const instance = autocannon({
    url: origin,
    connections: settings.connections,
    duration: settings.warmupSeconds + settings.durationSeconds,
    timeout: 10,
    requests: [source.request],
    // autocannon hands over the body as a string (its type also admits a Buffer).
    verifyBody: (body) => source.verifyBody(String(body ?? "")),
  }) as Promise<autocannon.Result> & autocannon.Instance;
  const warmupEnds = setTimeout(() => {
    measuredFrom = performance.now();
    onMeasuredStart();
  }, settings.warmupSeconds * 1000);
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    lastResponseCounted = performance.now() - responseTime >= measuredFrom;
    if (!lastResponseCounted) return;
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    if (statusCode < 200 || statusCode > 299) non2xx++;
    else latencies.add(responseTime);
  });
  // Emitted right after its response's "response", in the same turn (autocannon 9; not in its types).
  (instance as unknown as EventEmitter).on("reqMismatch", () => {
    if (lastResponseCounted) badBodies++;
  });
  instance.on("reqError", (error: Error) => {
    if (performance.now() < measuredFrom) return;
    errors++;
    if (error.message === "request timed out") timeouts++;
  });
  const result = await instance;
  clearTimeout(warmupEnds);
  // The measured seconds, as autocannon ran them (it stops on its own clock).
  const durationSeconds = Math.max(result.duration - settings.warmupSeconds, Number.EPSILON);
  const sorted = latencies.sorted();
  const sum = sorted.reduce((total, value) => total + value, 0);
  const requests = sorted.length + non2xx;
  return {
    requestsPerSecond: requests / durationSeconds,
    requests,
    durationSeconds,
    latencyMs: {
      mean: sorted.length ? sum / sorted.length : NaN,
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    },
    errors,
    timeouts,
    non2xx,
    badBodies,
    statusCodes,
  };
}
