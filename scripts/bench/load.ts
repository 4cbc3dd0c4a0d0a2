// The load: autocannon's programmatic API, a fixed number of connections for a
// fixed time after a warm-up of the same load whose results are thrown away.
// It runs in the bench's own process, so it shares the machine's cores with
// the process under load, as the issue's own measurements did.
//
// Latencies are taken from every 2xx response's own timing (microsecond
// resolution) rather than from autocannon's histogram, which keeps whole
// milliseconds: too coarse for the floor, whose answers take about one.
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
  /** autocannon's average of requests per second over the measured seconds. */
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

async function runOnce(origin: string, source: RequestSource, connections: number, seconds: number) {
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  // Without a callback it returns its tracker, an EventEmitter that is also a promise of the result.
  const instance = autocannon({
    url: origin,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [source.request],
    // autocannon hands over the body as a string (its type also admits a Buffer).
    verifyBody: (body) => source.verifyBody(String(body ?? "")),
  }) as Promise<autocannon.Result> & autocannon.Instance;
  instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode < 200 || statusCode > 299) return;
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = responseTime;
  });
  const result = await instance;
  return { result, latencies: latencies.slice(0, count).sort() };
}

/** `onMeasuredStart` is called between the warm-up and the measured run, to start counters of its own. */
export async function measureLoad(
  origin: string,
  source: RequestSource,
  settings: LoadSettings,
  onMeasuredStart: () => void = () => {},
): Promise<LoadResult> {
  if (settings.warmupSeconds > 0) await runOnce(origin, source, settings.connections, settings.warmupSeconds);
  onMeasuredStart();
  const { result, latencies } = await runOnce(origin, source, settings.connections, settings.durationSeconds);
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, (stats as { count: number }).count]),
  );
  const sum = latencies.reduce((total, value) => total + value, 0);
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    durationSeconds: result.duration,
    latencyMs: {
      mean: latencies.length ? sum / latencies.length : NaN,
      p50: percentile(latencies, 0.5),
      p90: percentile(latencies, 0.9),
      p99: percentile(latencies, 0.99),
      max: latencies.length ? latencies[latencies.length - 1]! : NaN,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    badBodies: result.mismatches,
    statusCodes,
  };
}
