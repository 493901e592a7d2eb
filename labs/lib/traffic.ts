// The scenario services' own plumbing: runRoles() starts the role named by the first argument.
// Request timing for them: a bounded batch of HTTP requests sent at a fixed rate,
// with its latency percentiles, and a steady open-loop load with a cap on requests in flight. Used both by the lab
// checks (from the host, through a port published on 127.0.0.1) and inside the services' own
// image (the traffic containers, and `measure` run with kubectl exec on kind). No dependencies,
// so esbuild can bundle it into a service.

export interface Sample {
  ok: boolean;
  status: number;
  ms: number;
  /** No answer within the timeout: slow rather than broken (ms is then the timeout). */
  timedOut?: boolean;
  error?: string;
}

export interface Timing {
  count: number;
  /** Requests answered with an error or refused (not counting timeouts). */
  errors: number;
  timeouts: number;
  /** The first error seen (status or message), for the failure text. */
  firstError?: string;
  p50: number;
  p95: number;
  max: number;
}

/** Nearest-rank percentile (p in 0..100) of a list of numbers; 0 for an empty list. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function summarise(samples: Sample[]): Timing {
  const ms = samples.map((s) => s.ms);
  const failed = samples.filter((s) => !s.ok && !s.timedOut);
  return {
    count: samples.length,
    errors: failed.length,
    timeouts: samples.filter((s) => s.timedOut).length,
    firstError: failed[0] ? (failed[0].error ?? `HTTP ${failed[0].status}`) : undefined,
    p50: Math.round(percentile(ms, 50)),
    p95: Math.round(percentile(ms, 95)),
    max: Math.round(Math.max(0, ...ms)),
  };
}

/** One GET, timed; never throws (a network error or timeout is a failed sample). */
export async function timedGet(url: string, timeoutMs: number, expect?: (body: string) => boolean): Promise<Sample> {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    const ms = performance.now() - started;
    const ok = response.status === 200 && (expect ? expect(body) : true);
    return { ok, status: response.status, ms, error: ok ? undefined : `HTTP ${response.status}: ${body.trim().slice(0, 80)}` };
  } catch (cause) {
    const error = cause as Error & { cause?: Error };
    if (error.name === 'TimeoutError') return { ok: false, status: 0, ms: timeoutMs, timedOut: true, error: `no answer within ${timeoutMs} ms` };
    return { ok: false, status: 0, ms: performance.now() - started, error: error.cause?.message ?? error.message };
  }
}

/**
 * `count` requests sent at a fixed `rate` a second whatever the answers (an open loop: a slow
 * service does not slow the sender down, as with real users), timed one by one.
 */
export async function paced(get: () => Promise<Sample>, count: number, rate: number): Promise<Timing> {
  const pending: Promise<Sample>[] = [];
  for (let i = 0; i < count; i += 1) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1000 / rate));
    pending.push(get());
  }
  return summarise(await Promise.all(pending));
}

/**
 * A steady open-loop load: `rate` requests a second, never more than `maxInFlight` at once (a
 * request that would exceed the cap is skipped and counted). Calls `report` every `reportEveryMs`
 * with what was sent since the last report. Runs until the process ends.
 */
export function steadyLoad(
  get: () => Promise<Sample>,
  { rate, maxInFlight, reportEveryMs, report }: { rate: number; maxInFlight: number; reportEveryMs: number; report: (t: Timing, skipped: number) => void },
): void {
  let inFlight = 0;
  let skipped = 0;
  let samples: Sample[] = [];
  setInterval(() => {
    if (inFlight >= maxInFlight) {
      skipped += 1;
      return;
    }
    inFlight += 1;
    void get().then((s) => {
      inFlight -= 1;
      samples.push(s);
    });
  }, 1000 / rate);
  setInterval(() => {
    report(summarise(samples), skipped);
    samples = [];
    skipped = 0;
  }, reportEveryMs);
}

/**
 * The entry point of a service image with several roles (`node app.cjs <role> [args...]`): runs
 * the role named by the first argument with the rest, or exits 2 with the list of roles. As PID 1
 * in a container Node gets no default handling of SIGTERM, so this also stops it promptly then.
 */
export function runRoles(roles: Record<string, (args: string[]) => void | Promise<void>>, argv = process.argv.slice(2)): void {
  process.on('SIGTERM', () => process.exit(0));
  const [role, ...rest] = argv;
  const run = role ? roles[role] : undefined;
  if (!run) {
    console.error(`usage: app.cjs ${Object.keys(roles).join('|')}`);
    process.exit(2);
  }
  void Promise.resolve(run(rest)).catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
