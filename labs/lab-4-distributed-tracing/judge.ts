// The verdicts of Lab 4's checks, as pure functions of the traces Jaeger returned for the
// checkouts a check sent (unit-tested on recorded traces; the Docker and kind steps share them).
import { collectorAttribute, shopServices } from './config.ts';
import { fail, pass, type CheckResult } from '../lib/result.ts';
import { sleep } from '../lib/wait.ts';
import { formatMs, median, summarise, type Trace, type TraceSummary } from './trace-analysis.ts';

/** What Jaeger returned for each checkout a check sent: the trace, or null when it has none. */
export type Lookup = Map<string, Trace | null>;

/** Reads the traces of these IDs from Jaeger (null for each one it does not have). */
export type TraceLookups = (ids: string[]) => Promise<Lookup>;

export interface LookUpOptions {
  /** Give up after this long. */
  timeoutMs?: number;
  /** Stop once nothing has changed for this long (unsampled traces never arrive). */
  settleMs?: number;
  /** Wait at least this long, e.g. for a tail sampler's decision_wait. */
  minWaitMs?: number;
  now?: () => number;
  pause?: (ms: number) => Promise<void>;
}

const serviceCount = (t: Trace | null) => (t ? new Set(t.spans.map((s) => s.service)).size : 0);

/**
 * Looks the traces up until every one is found and whole, or nothing has changed for
 * `settleMs`, or `timeoutMs` has passed; never before `minWaitMs`.
 */
export async function lookUpUntilSettled(ids: string[], lookups: TraceLookups, options: LookUpOptions = {}): Promise<Lookup> {
  const { timeoutMs = 20_000, settleMs = 4000, minWaitMs = 0, now = Date.now, pause = sleep } = options;
  const started = now();
  let lastChange = started;
  let previous = '';
  for (;;) {
    const lookup = await lookups(ids);
    const state = [...lookup.values()].map((t) => `${serviceCount(t)}:${t?.spans.length ?? 0}`).join(',');
    if (state !== previous) lastChange = now();
    previous = state;
    const waited = now() - started;
    const allWhole = [...lookup.values()].every((t) => serviceCount(t) === shopServices.length);
    if (waited >= minWaitMs && (allWhole || now() - lastChange >= settleMs || waited >= timeoutMs)) return lookup;
    await pause(1000);
  }
}

export const missingServices = (s: TraceSummary) => shopServices.filter((name) => !s.services.includes(name));
const isWhole = (s: TraceSummary) => missingServices(s).length === 0;
const viaCollector = (s: TraceSummary) => s.resourceValues(collectorAttribute.key).every((v) => v === collectorAttribute.value);

function incomplete(found: TraceSummary[], what: string): CheckResult | null {
  const broken = found.filter((s) => !isWhole(s));
  if (broken.length === 0) return null;
  const first = broken[0]!;
  return fail(
    'incomplete-traces',
    `${broken.length} of ${found.length} ${what} in Jaeger are not whole: trace ${first.traceId} has spans from ${first.services.join(', ') || 'no service'} ` +
      `but none from ${missingServices(first).join(' and ')}. Spans a service does not export, or does not record, leave holes in the trace.`,
  );
}

/** Step "traces arrive": every checkout is in Jaeger, whole, and went through the Collector. */
export function judgeArrival(lookup: Lookup): CheckResult {
  const found = [...lookup.values()].filter((t): t is Trace => t !== null).map(summarise);
  if (found.length === 0) {
    return fail(
      'no-traces',
      `Jaeger has none of the ${lookup.size} checkouts just sent (trace IDs ${[...lookup.keys()].slice(0, 2).join(', ')}, ...). ` +
        `The spans leave the services but never reach Jaeger: read the services' logs for export errors, and compare where they send (OTEL_EXPORTER_OTLP_ENDPOINT) with what the Collector listens on.`,
    );
  }
  const holes = incomplete(found, 'checkouts found');
  if (holes) return holes;
  const direct = found.filter((s) => !viaCollector(s));
  if (direct.length > 0) {
    return fail(
      'bypasses-collector',
      `${direct.length} of ${found.length} traces reached Jaeger without passing through ${collectorAttribute.value}: their spans lack the resource attribute ` +
        `${collectorAttribute.key} the Collector adds. Send to the Collector, not to Jaeger directly.`,
    );
  }
  if (found.length < lookup.size) {
    return fail('still-arriving', `${found.length} of ${lookup.size} checkouts have arrived in Jaeger so far.`);
  }
  return pass(
    `${found.length} of ${lookup.size} checkouts arrived in Jaeger as whole traces (${shopServices.join(' -> ')}, ${found[0]!.spanCount} spans each), through ${collectorAttribute.value}.`,
  );
}

export interface Bottleneck {
  service: string;
  name: string;
  /** Median milliseconds of that span on the critical path. */
  onPathMs: number;
  totalMs: number;
}

/**
 * The span that adds the latency, agreed by most of the traces: the largest contribution to the
 * critical path, or null when the traces do not agree or no span stands out (>= minMs).
 */
export function agreedBottleneck(traces: Trace[], minMs = 200): Bottleneck | null {
  const whole = traces.map(summarise).filter(isWhole);
  if (whole.length === 0) return null;
  const votes = new Map<string, TraceSummary[]>();
  for (const s of whole) {
    if (!s.bottleneck) continue;
    const key = `${s.bottleneck.service}/${s.bottleneck.name}`;
    votes.set(key, [...(votes.get(key) ?? []), s]);
  }
  const [key, agreeing] = [...votes].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
  if (!key || !agreeing || agreeing.length * 2 <= whole.length) return null;
  const { service, name } = agreeing[0]!.bottleneck!;
  const onPathMs = median(agreeing.map((s) => s.onPathMs(service, name)));
  if (onPathMs < minMs) return null;
  return { service, name, onPathMs, totalMs: median(agreeing.map((s) => s.totalMs)) };
}

export const slowSpan = { service: 'pricing', name: 'load tax table' };
/** After the fix the critical path is the fraud check (100 ms) plus a few ms; before, over 600 ms. */
export const fixedThresholdMs = 350;

/** Step "fix": the critical path of fresh checkouts no longer runs through the slow span. */
export function judgeFix(lookup: Lookup, earlier: Trace[]): CheckResult {
  const found = [...lookup.values()].filter((t): t is Trace => t !== null).map(summarise);
  if (found.length < lookup.size) {
    return fail('still-arriving', `${found.length} of ${lookup.size} checkouts have arrived in Jaeger so far.`);
  }
  const holes = incomplete(found, 'checkouts');
  if (holes) return holes;
  const total = median(found.map((s) => s.totalMs));
  const slowPart = median(found.map((s) => s.onPathMs(slowSpan.service, slowSpan.name)));
  const before = earlier.map(summarise).filter((s) => isWhole(s) && s.onPathMs(slowSpan.service, slowSpan.name) >= 200);
  const beforeText = before.length > 0 ? `, was ${formatMs(median(before.map((s) => s.totalMs)))} over ${before.length} earlier checkout(s)` : '';
  const bottlenecks = found.map((s) => (s.bottleneck ? `${s.bottleneck.service}/${s.bottleneck.name}` : '?'));
  const now = `median critical path ${formatMs(total)}${beforeText}`;
  if (slowPart >= 100 || total >= fixedThresholdMs) {
    return fail(
      'still-slow',
      `Checkouts are still slow: ${now}; the largest part of it is ${bottlenecks[0]}` +
        (slowPart > 0 ? ` (${slowSpan.service}/${slowSpan.name}: ${formatMs(slowPart)} of it)` : '') +
        '. Restarting or adding resources does not change what the service does on every request.',
    );
  }
  return pass(`Fixed: ${now}. The critical path now runs through ${bottlenecks[0]}; ${slowSpan.service}/${slowSpan.name} is ${formatMs(slowPart)} of it.`);
}

export const samplingTarget = { ratio: 0.25, min: 0.08, max: 0.5 };

/** Step "head sampling": about a quarter of checkouts kept, each one whole. */
export function judgeSampling(lookup: Lookup): CheckResult {
  const found = [...lookup.values()].filter((t): t is Trace => t !== null).map(summarise);
  const holes = incomplete(found, 'kept checkouts');
  if (holes) return holes;
  const ratio = found.length / lookup.size;
  const kept = `Jaeger kept ${found.length} of the ${lookup.size} checkouts just sent (${Math.round(ratio * 100)}%)`;
  if (ratio > samplingTarget.max) {
    return fail('keeps-too-many', `${kept}; keep about a quarter of them (${samplingTarget.ratio * 100}%), decided once for the whole trace.`);
  }
  if (ratio < samplingTarget.min) {
    return fail('keeps-too-few', `${kept}; keep about a quarter of them (${samplingTarget.ratio * 100}%), not fewer.`);
  }
  return pass(`${kept}, each one whole (${shopServices.join(', ')}): head sampling at the root, followed downstream.`);
}
