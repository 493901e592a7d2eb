// k6 for Lab 5's Kubernetes part: the test script (run by a Job, from the CronJob template
// m9-lab5-k6), and the reading of its end-of-test summary. The script's handleSummary() writes
// the summary data object as JSON (k6 v2.2, default format: metrics.<name>.values and
// metrics.<name>.thresholds["<expression>"].ok), and a second container of the Job prints it,
// so `kubectl logs job/<name> -c summary` is the machine-readable summary and nothing else.

/** The gate's objectives, as k6 threshold expressions. */
export const k6Thresholds = { http_req_duration: ['p(95)<300'], http_req_failed: ['rate<0.01'] } as const;
/** The load: a constant arrival rate, bounded in time and count (at most rate x seconds). */
export const k6Load = { rate: 40, seconds: 20 };

export function k6Script(target: string): string {
  return `// Lab 5: the k6 gate. ${k6Load.rate} requests per second for ${k6Load.seconds} s against the catalogue
// Service, with thresholds on p95 latency and the error rate. k6 exits 99 when a threshold
// is crossed; handleSummary() writes the summary data to /results/summary.json.
import http from 'k6/http';

export const options = {
  scenarios: {
    catalog: {
      executor: 'constant-arrival-rate',
      rate: ${k6Load.rate},
      timeUnit: '1s',
      duration: '${k6Load.seconds}s',
      preAllocatedVUs: 20,
      maxVUs: 100,
    },
  },
  thresholds: ${JSON.stringify(k6Thresholds)},
};

export default function () {
  http.get(\`${target}/products/sku-\${Math.floor(Math.random() * 100) + 1}\`, { timeout: '5s' });
}

export function handleSummary(data) {
  return { '/results/summary.json': JSON.stringify(data) };
}
`;
}

export interface K6Metric {
  type: string;
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6Summary {
  metrics: Record<string, K6Metric>;
  state?: { testRunDurationMs?: number };
}

export type K6Verdict =
  | { kind: 'unreadable'; reason: string }
  | { kind: 'unreachable'; requests: number }
  | { kind: 'thresholds-changed'; found: string[] }
  | { kind: 'incomplete'; requests: number; dropped: number }
  | { kind: 'ran'; passed: boolean; p95: number; failedRate: number; requests: number; crossed: string[] };

export function parseSummary(text: string): K6Summary | null {
  try {
    const data = JSON.parse(text) as K6Summary;
    return data && typeof data.metrics === 'object' ? data : null;
  } catch {
    return null;
  }
}

/** What a summary says: whether the run is the gate as written, reached the target, and passed. */
export function judgeSummary(summary: K6Summary | null): K6Verdict {
  if (!summary) return { kind: 'unreadable', reason: 'the summary container printed no k6 summary JSON' };
  const m = summary.metrics;
  const requests = m.http_reqs?.values.count ?? 0;
  // Nothing received at all: every request failed to connect.
  if (requests > 0 && (m.data_received?.values.count ?? 0) === 0) return { kind: 'unreachable', requests };
  const found = Object.entries(m).flatMap(([name, metric]) => Object.keys(metric.thresholds ?? {}).map((t) => `${name}: ${t}`));
  const wanted = Object.entries(k6Thresholds).flatMap(([name, list]) => list.map((t) => `${name}: ${t}`));
  if (found.length !== wanted.length || !wanted.every((w) => found.includes(w))) return { kind: 'thresholds-changed', found };
  const dropped = m.dropped_iterations?.values.count ?? 0;
  if (requests + dropped < 0.9 * k6Load.rate * k6Load.seconds) return { kind: 'incomplete', requests, dropped };
  const crossed = Object.entries(m).flatMap(([name, metric]) =>
    Object.entries(metric.thresholds ?? {})
      .filter(([, t]) => !t.ok)
      .map(([t]) => `${name} ${t}`),
  );
  return {
    kind: 'ran',
    passed: crossed.length === 0,
    p95: m.http_req_duration?.values['p(95)'] ?? NaN,
    failedRate: m.http_req_failed?.values.rate ?? NaN,
    requests,
    crossed,
  };
}
