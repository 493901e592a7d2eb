// Artillery for Lab 5's Docker part: run a test script with `artillery run --output`, and read
// the JSON report it writes (never its console output). The report holds an `aggregate` for the
// whole run and one `intermediate` entry per 10-second period, each with `counters`
// (http.requests, http.codes.200, errors.ECONNREFUSED, vusers.failed ...), `rates`
// (http.request_rate) and `summaries` (http.response_time with p95 ...). Artillery 2.0.34.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { parse } from 'yaml';
import type { StepContext } from '../lib/lab.ts';

export interface ArtilleryPeriod {
  period?: number | string;
  counters: Record<string, number>;
  rates?: Record<string, number>;
  summaries?: Record<string, Record<string, number>>;
  firstMetricAt?: number;
  lastMetricAt?: number;
}

export interface ArtilleryReport {
  aggregate: ArtilleryPeriod;
  intermediate: ArtilleryPeriod[];
}

/** The report at `path`, null when there is none; throws when the file is not a report. */
export function readReport(path: string): ArtilleryReport | null {
  if (!existsSync(path)) return null;
  const data = JSON.parse(readFileSync(path, 'utf8')) as Partial<ArtilleryReport>;
  if (!data.aggregate?.counters || !Array.isArray(data.intermediate)) throw new Error(`${path} is not an Artillery JSON report (no aggregate.counters or intermediate)`);
  return data as ArtilleryReport;
}

/** Connection-level errors: the target never answered these requests. */
const connectionErrors = ['errors.ECONNREFUSED', 'errors.ECONNRESET', 'errors.ETIMEDOUT', 'errors.EHOSTUNREACH', 'errors.ENOTFOUND', 'errors.EAI_AGAIN'];

export interface PeriodSummary {
  requests: number;
  /** Responses with a 2xx status. */
  ok: number;
  /** Requests that did not get a 2xx response (5xx, 4xx, or no response at all). */
  errors: number;
  errorRate: number;
  /** Requests that got no response because the connection failed. */
  unanswered: number;
  p95?: number;
  /** http.request_rate: requests sent per second in the period. */
  requestRate?: number;
}

export function summarise(p: ArtilleryPeriod): PeriodSummary {
  const c = p.counters;
  const requests = c['http.requests'] ?? 0;
  const ok = Object.entries(c).filter(([k]) => /^http\.codes\.2\d\d$/.test(k)).reduce((sum, [, v]) => sum + v, 0);
  const unanswered = connectionErrors.reduce((sum, k) => sum + (c[k] ?? 0), 0);
  return {
    requests,
    ok,
    errors: requests - ok,
    errorRate: requests > 0 ? (requests - ok) / requests : 0,
    unanswered,
    p95: p.summaries?.['http.response_time']?.p95,
    requestRate: p.rates?.['http.request_rate'],
  };
}

/** True when (almost) nothing answered: the target was down or not where the test pointed. */
export function unreachable(report: ArtilleryReport): boolean {
  const s = summarise(report.aggregate);
  return s.requests > 0 && s.unanswered >= 0.9 * s.requests;
}

export const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
export const ms = (x: number | undefined) => (x === undefined ? 'n/a' : `${Math.round(x)} ms`);

export function describe(s: PeriodSummary): string {
  return `${s.requests} requests, p95 ${ms(s.p95)}, ${percent(s.errorRate)} without a 2xx response`;
}

export interface Saturation {
  /** The 10-second periods of the run with their request rate and p95. */
  periods: { requestRate: number; p95: number }[];
  /** The last period before the first one whose p95 exceeded the objective. */
  lastGood?: { requestRate: number; p95: number };
  /** The first period whose p95 exceeded the objective. */
  firstBad?: { requestRate: number; p95: number };
}

/** Where a ramp first missed the latency objective, period by period. */
export function saturation(report: ArtilleryReport, sloMs: number): Saturation {
  const periods = report.intermediate
    .map(summarise)
    .filter((s): s is PeriodSummary & { p95: number; requestRate: number } => s.p95 !== undefined && s.requestRate !== undefined && s.requests > 0)
    .map((s) => ({ requestRate: s.requestRate, p95: s.p95 }));
  const index = periods.findIndex((p) => p.p95 > sloMs);
  return {
    periods,
    firstBad: index >= 0 ? periods[index] : undefined,
    lastGood: index > 0 ? periods[index - 1] : undefined,
  };
}

/** The first number in an answer such as "36", "36 rps" or "about 36/sec". */
export function answerRate(answer: string): number | null {
  const match = /(\d+(?:\.\d+)?)/.exec(answer);
  return match ? Number(match[1]) : null;
}

/**
 * Accepts the rate of the first period that missed the objective or of the last that met it,
 * with 15% either side: both readings of "where does it saturate" are right.
 */
export function acceptsRate(answer: number, sat: Saturation): boolean {
  const candidates = [sat.firstBad?.requestRate, sat.lastGood?.requestRate].filter((r): r is number => r !== undefined);
  if (candidates.length === 0) return false;
  return answer >= Math.min(...candidates) * 0.85 && answer <= Math.max(...candidates) * 1.15;
}

// --- The gate script: what the learner's ensure block must contain ---

interface GateScript {
  config?: {
    target?: string;
    phases?: { duration?: number | string; arrivalRate?: number; rampTo?: number; arrivalCount?: number; maxVusers?: number }[];
    ensure?: EnsureConfig;
    plugins?: { ensure?: EnsureConfig } & Record<string, unknown>;
  };
  scenarios?: { flow?: Record<string, { url?: string }>[] }[];
}

interface EnsureConfig {
  thresholds?: Record<string, number>[];
  conditions?: { expression?: string; strict?: boolean }[];
  maxErrorRate?: number;
  p95?: number;
  p99?: number;
}

export interface GateProblem {
  code: string;
  reason: string;
}

/** Largest load the gate may generate: the check runs it twice on a shared machine. */
export const gateLimits = { maxSeconds: 30, maxRequests: 1500 };

/** Static checks of a gate script; null when it is a gate the check will run. */
export function gateProblems(text: string): GateProblem | null {
  let script: GateScript;
  try {
    script = parse(text) as GateScript;
  } catch (cause) {
    return { code: 'invalid-yaml', reason: `The gate script is not valid YAML: ${(cause as Error).message.split('\n')[0]}` };
  }
  const config = script?.config ?? {};
  if (config.plugins?.ensure === undefined) {
    return { code: 'no-ensure', reason: 'The gate script does not load the ensure plugin (config.plugins.ensure), so Artillery checks nothing and always exits 0 when the run completes.' };
  }
  const ensure: EnsureConfig = { ...(config.ensure ?? {}), ...(config.plugins.ensure ?? {}) };
  const thresholdKeys = (ensure.thresholds ?? []).flatMap((t) => Object.keys(t ?? {}));
  const expressions = (ensure.conditions ?? []).filter((c) => c?.strict !== false).map((c) => c?.expression ?? '');
  const latency =
    thresholdKeys.some((k) => /^http\.response_time(\.2xx)?\.p9\d+$/.test(k)) ||
    expressions.some((e) => /http\.response_time(\.2xx)?\.p9\d+/.test(e)) ||
    ensure.p95 !== undefined ||
    ensure.p99 !== undefined;
  if (!latency) return { code: 'no-latency-check', reason: 'The ensure block has no strict check on a high percentile of http.response_time (for example a threshold on http.response_time.p95).' };
  const errors =
    ensure.maxErrorRate !== undefined ||
    thresholdKeys.some((k) => /^(http\.codes\.|vusers\.failed|errors\.)/.test(k)) ||
    expressions.some((e) => /http\.codes\.|vusers\.failed|vusers\.completed|errors\.|http\.responses/.test(e));
  if (!errors) return { code: 'no-error-check', reason: 'The ensure block has no strict check on errors (a condition on http.codes.*, vusers.failed or errors.*, or maxErrorRate).' };
  const phases = config.phases ?? [];
  let seconds = 0;
  let requests = 0;
  for (const phase of phases) {
    const duration = Number(phase.duration);
    if (!Number.isFinite(duration) || duration <= 0) return { code: 'load-unbounded', reason: 'Every phase needs a duration in seconds (a plain number).' };
    seconds += duration;
    const rate = Math.max(phase.arrivalRate ?? 0, phase.rampTo ?? 0);
    requests += phase.arrivalCount ?? rate * duration;
  }
  if (phases.length === 0 || seconds > gateLimits.maxSeconds || requests > gateLimits.maxRequests) {
    return { code: 'load-unbounded', reason: `Keep the gate's load bounded: at most ${gateLimits.maxSeconds} s and ${gateLimits.maxRequests} requests in all (this script: ${seconds} s, about ${Math.round(requests)} requests).` };
  }
  const urls = (script.scenarios ?? []).flatMap((s) => (s.flow ?? []).flatMap((step) => Object.values(step ?? {}).map((r) => r?.url ?? '')));
  if (urls.length === 0 || urls.some((u) => !u.startsWith('/'))) {
    return { code: 'absolute-url', reason: 'Every request in the scenarios must use a path such as /products/sku-1, so that the load goes to the target the check gives (127.0.0.1), and nowhere else.' };
  }
  return null;
}

// --- Running Artillery ---

export interface ArtilleryRun {
  exitCode: number;
  report: ArtilleryReport | null;
  stderr: string;
}

/**
 * `artillery run --output <report> --target <url> <script>` with telemetry off, bounded in
 * time. The report is removed first, so a stale one is never read as this run's.
 */
export async function runArtillery(ctx: Pick<StepContext, 'shell'>, script: string, report: string, target: string, timeoutSeconds = 150): Promise<ArtilleryRun> {
  rmSync(report, { force: true });
  const result = await ctx.shell.tryRun('env', ['ARTILLERY_DISABLE_TELEMETRY=true', 'npx', 'artillery', 'run', '--output', report, '--target', target, script], { timeoutSeconds });
  return { exitCode: result.exitCode, report: readReport(report), stderr: result.stderr };
}
