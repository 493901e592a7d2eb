// Lab 1's checks read Prometheus and Grafana through their HTTP APIs, never through the files
// the learner wrote: a scrape target counts when /api/v1/targets reports it up, an alert rule
// counts when /api/v1/rules has it and the ALERTS series shows it fired, a dashboard counts when
// Grafana serves it as provisioned and its queries return data from Prometheus. The judging
// functions here are pure (unit-tested on JSON captured from Prometheus); the steps fetch the
// JSON through Docker's published port or the Kubernetes API server's service proxy.
import { error, fail, pass, type CheckResult } from '../lib/result.ts';

/** An API that could not be reached, with what the learner should do about it. */
export class Unreachable extends Error {
  readonly next: string;
  constructor(message: string, next: string) {
    super(message);
    this.name = 'Unreachable';
    this.next = next;
  }
}

/** Runs a check body; an API that cannot be reached becomes `error` with its next step, never a pass or a fail. */
export async function guarded(body: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await body();
  } catch (cause) {
    if (cause instanceof Unreachable) return error(cause.message, cause.next);
    throw cause;
  }
}

/** GETs `path` with `params` from one server's HTTP API and returns the parsed JSON. Throws Unreachable. */
export type ApiGet = (path: string, params?: Record<string, string>) => Promise<unknown>;

export interface ApiClient {
  get: ApiGet;
  /** What the API is, for messages: "Prometheus (m9-lab1-prometheus)". */
  name: string;
  /** What to do when it cannot be reached. */
  next: string;
}

/** An ApiGet over plain HTTP (the published port of a Docker container). */
export function httpGet(baseUrl: string, name: string, next: string): ApiGet {
  return async (path, params = {}) => {
    const url = `${baseUrl}${path}${Object.keys(params).length ? `?${new URLSearchParams(params)}` : ''}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    } catch (cause) {
      const why = ((cause as Error).cause as Error | undefined)?.message ?? (cause as Error).message;
      throw new Unreachable(`${name} did not answer GET ${url} (${why}).`, next);
    }
    const text = await response.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Unreachable(`${name} answered GET ${url} with HTTP ${response.status} and no JSON: ${text.trim().slice(0, 120)}`, next);
    }
  };
}

// --- Prometheus ------------------------------------------------------------------------------

interface PromEnvelope<T> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
}

export interface Target {
  labels: Record<string, string>;
  scrapeUrl: string;
  lastError: string;
  health: 'up' | 'down' | 'unknown';
}

export interface AlertingRule {
  type: 'alerting' | 'recording';
  name: string;
  query: string;
  /** Seconds of `for:`. */
  duration?: number;
  state?: 'inactive' | 'pending' | 'firing';
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
  alerts?: { labels: Record<string, string>; state: string; activeAt: string; value: string }[];
}

export interface RuleGroups {
  groups: { name: string; file: string; rules: AlertingRule[] }[];
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

function unwrap<T>(body: unknown, what: string, api: ApiClient): T {
  const envelope = body as PromEnvelope<T>;
  if (envelope?.status === 'success') return envelope.data;
  if (envelope?.status === 'error') {
    // A bad query is our bug or the learner's config; either way it is not a pass or a fail.
    throw new Unreachable(`${api.name} refused ${what}: ${envelope.errorType}: ${envelope.error}`, api.next);
  }
  throw new Unreachable(`${api.name} answered ${what} with something that is not a Prometheus API response.`, api.next);
}

export async function targets(api: ApiClient): Promise<Target[]> {
  return unwrap<{ activeTargets: Target[] }>(await api.get('/api/v1/targets', { state: 'active' }), 'GET /api/v1/targets', api).activeTargets;
}

export async function rules(api: ApiClient): Promise<RuleGroups> {
  return unwrap<RuleGroups>(await api.get('/api/v1/rules'), 'GET /api/v1/rules', api);
}

/** An instant query; returns the vector's samples (a scalar becomes one sample). */
export async function query(api: ApiClient, expr: string): Promise<Sample[]> {
  const data = unwrap<{ resultType: string; result: Sample[] | [number, string] }>(await api.get('/api/v1/query', { query: expr }), `the query ${expr}`, api);
  if (data.resultType === 'vector') return data.result as Sample[];
  if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
  return [];
}

/** The first sample's value as a number, or null when the query returns nothing. */
export async function scalar(api: ApiClient, expr: string): Promise<number | null> {
  const samples = await query(api, expr);
  return samples[0] ? Number(samples[0].value[1]) : null;
}

export async function ready(api: ApiClient): Promise<boolean> {
  try {
    await query(api, 'vector(1)');
    return true;
  } catch (cause) {
    if (cause instanceof Unreachable) return false;
    throw cause;
  }
}

export function findAlertingRule(groups: RuleGroups, name: string): AlertingRule | null {
  for (const group of groups.groups) for (const rule of group.rules) if (rule.type === 'alerting' && rule.name === name) return rule;
  return null;
}

/** A wanted scrape target: which job it must be in, and how to recognise its address. */
export interface WantedTarget {
  job: string;
  /** Matches the target's scrapeUrl, e.g. /m9-lab1-checkout:8080\//. */
  url: RegExp;
  what: string;
}

/** Judges /api/v1/targets: every wanted target is there, in its job, and up. */
export function judgeTargets(active: Target[], wanted: WantedTarget[], hint: string): CheckResult {
  const found: string[] = [];
  for (const want of wanted) {
    const inJob = active.filter((t) => t.labels.job === want.job);
    const match = inJob.find((t) => want.url.test(t.scrapeUrl));
    if (!match) {
      const elsewhere = active.find((t) => want.url.test(t.scrapeUrl));
      if (elsewhere) return fail('wrong-job', `${want.what} is scraped (${elsewhere.scrapeUrl}) but in job "${elsewhere.labels.job}", not "${want.job}". The alert rules and dashboards of this lab select job="${want.job}".`);
      const seen = inJob.map((t) => t.scrapeUrl).join(', ');
      return fail(`no-${want.job}-target`, `Prometheus has no active target for ${want.what} in job "${want.job}"${seen ? ` (that job scrapes ${seen})` : ''}. ${hint}`);
    }
    if (match.health === 'unknown') return fail('target-unknown', `${match.scrapeUrl} (job "${want.job}") has not been scraped yet.`);
    if (match.health !== 'up') {
      return fail('target-down', `${match.scrapeUrl} (job "${want.job}") is down: ${match.lastError || 'no error given'}. Check the address and port that the target really listens on.`);
    }
    found.push(`${want.job}: ${match.scrapeUrl}`);
  }
  return pass(`Prometheus scrapes ${found.join(' and ')}, and both are up.`);
}

/** What an alert step's check has read from Prometheus (and, for the docker part, Alertmanager). */
export interface AlertSnapshot {
  rule: AlertingRule | null;
  /** Whether ALERTS shows the alert firing at any time in the look-back window. */
  firedRecently: boolean;
  /** The condition the alert is about, measured with the lab's own query: its value now, or null. */
  condition: number | null;
  /** Null when the workload is up and serving; otherwise what is wrong. */
  notServing: string | null;
  /** False when Prometheus rejected its last configuration reload. */
  reloadOk: boolean;
  /**
   * Firing alerts Alertmanager has received (its alertmanager_alerts_received_total), when the
   * step routes alerts to one: null when Prometheus has no such metric. Undefined otherwise.
   */
  delivered?: number | null;
}

export interface AlertSpec {
  alert: string;
  /** The condition in words, with its threshold: "checkout's p95 latency above 0.25 s". */
  condition: string;
  threshold: number;
  /** Formats a condition value: "0.48 s", "91%". */
  format: (value: number) => string;
  /** The code and text for "the alert fires as it should; now fix the cause". */
  fixCode: string;
  fixText: string;
  /** The look-back window of "firedRecently", in words. */
  window: string;
  /** How to make the condition happen again (the step's start command). */
  again: string;
}

/** Judges an alert step: the rule exists and is healthy, it fired on the real condition, and it resolved after the fix. */
export function judgeAlert(spec: AlertSpec, s: AlertSnapshot): CheckResult {
  if (!s.reloadOk) return fail('config-reload-failed', 'Prometheus rejected its last configuration reload and still runs the configuration before it. Its log says why: docker logs <the Prometheus container>.');
  if (s.notServing) return fail('not-serving', `${s.notServing} An alert that resolves because its data is gone has not resolved: the workload must be up and doing its work.`);
  const rule = s.rule;
  if (!rule) return fail('no-rule', `Prometheus has no alerting rule named ${spec.alert} (GET /api/v1/rules). Write it in a rule file that Prometheus loads, then reload Prometheus.`);
  if (rule.health === 'err') return fail('rule-error', `The rule ${spec.alert} fails to evaluate: ${rule.lastError ?? 'no error given'}.`);
  if (rule.health === 'unknown') return fail('rule-not-evaluated', `The rule ${spec.alert} is loaded but has not been evaluated yet.`);
  const now = s.condition === null ? 'no data' : spec.format(s.condition);
  const holds = s.condition !== null && s.condition > spec.threshold;
  const state = rule.state ?? ((rule.alerts ?? []).some((a) => a.state === 'firing') ? 'firing' : (rule.alerts ?? []).length ? 'pending' : 'inactive');
  if (state === 'firing' || state === 'pending') {
    if (holds) return fail(spec.fixCode, `${spec.alert} is ${state}, as it should be: ${spec.condition} (now ${now}). ${spec.fixText}`);
    return fail('resolving', `${spec.alert} is still ${state}, though the condition has cleared (now ${now}); waiting for the rule's own window to catch up.`);
  }
  if (holds) {
    return fail(
      'rule-misses-condition',
      `${spec.condition} holds (now ${now}), yet ${spec.alert} is inactive. Run its expression (${rule.query}) in Prometheus's query page and compare it with the condition.`,
    );
  }
  if (!s.firedRecently) {
    return fail('never-fired', `${spec.alert} has not fired in the last ${spec.window}, so it is not shown to catch the condition. To make the condition happen again: ${spec.again}`);
  }
  if (s.delivered !== undefined && !s.delivered) {
    return fail(
      'not-delivered',
      `${spec.alert} fired, but ${s.delivered === null ? 'Prometheus has no metrics from Alertmanager (job alertmanager), so delivery cannot be seen' : 'Alertmanager has received no firing alert'}: check that Alertmanager runs and the alerting section of the Prometheus configuration.`,
    );
  }
  const delivered = s.delivered ? `; Alertmanager received ${s.delivered} firing alert notification(s)` : '';
  return pass(`${spec.alert} fired while ${spec.condition} and has resolved: the condition is now ${now}${delivered}.`);
}

// --- Grafana ---------------------------------------------------------------------------------

export interface SearchHit {
  uid: string;
  title: string;
  type: string;
}

export interface DashboardResponse {
  meta: { provisioned?: boolean; provisionedExternalId?: string };
  dashboard: { uid: string; title: string; panels?: Panel[] };
}

export interface Panel {
  title?: string;
  type?: string;
  targets?: { expr?: string; refId?: string }[];
  panels?: Panel[];
}

/** Every PromQL query of a dashboard, with its panel's title (rows' nested panels included). */
export function panelQueries(dashboard: DashboardResponse['dashboard']): { panel: string; expr: string }[] {
  const out: { panel: string; expr: string }[] = [];
  const walk = (panels: Panel[] | undefined) => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) if (target.expr?.trim()) out.push({ panel: panel.title || '(untitled)', expr: target.expr.trim() });
      walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** Grafana's interval variables, replaced by fixed windows so the check can run the query itself. */
export function expandGrafanaMacros(expr: string): string {
  return expr
    .replace(/\$\{?__rate_interval\}?/g, '1m')
    .replace(/\$\{?__interval\}?/g, '15s')
    .replace(/\$\{?__range\}?/g, '5m');
}

export interface DashboardSpec {
  uid: string;
  title: string;
  /** A query that must appear on some panel, e.g. histogram_quantile over the latency buckets. */
  mustQuery: { pattern: RegExp; what: string };
}

/** Judges a dashboard: it is provisioned (from a file or a ConfigMap), has queries, and each returns data. */
export function judgeDashboard(spec: DashboardSpec, hits: SearchHit[], dash: DashboardResponse | null, results: { panel: string; expr: string; series: number | string }[]): CheckResult {
  const hit = hits.find((h) => h.uid === spec.uid);
  if (!hit || !dash) {
    const titles = hits.map((h) => `${h.title} (uid ${h.uid})`).join(', ');
    return fail('no-dashboard', `Grafana has no dashboard with uid ${spec.uid}${titles ? `; it has: ${titles}` : ''}. Grafana reads provisioned dashboards when it starts and then at the provider's update interval.`);
  }
  if (!dash.meta.provisioned) {
    return fail('not-provisioned', `The dashboard ${spec.uid} exists, but Grafana says it was not provisioned (meta.provisioned is false): it was made in the UI or through the API, and would be lost with Grafana's database. Provision it from a file.`);
  }
  const queries = panelQueries(dash.dashboard);
  if (queries.length < 2) return fail('too-few-queries', `The dashboard ${spec.uid} has ${queries.length} PromQL queries; it needs at least two panels with queries.`);
  if (!queries.some((q) => spec.mustQuery.pattern.test(q.expr))) return fail('missing-panel', `No panel of ${spec.uid} shows ${spec.mustQuery.what}.`);
  for (const r of results) {
    if (typeof r.series === 'string') return fail('panel-query-error', `The query of panel "${r.panel}" (${r.expr}) fails in Prometheus: ${r.series}`);
    if (r.series === 0) return fail('panel-no-data', `The query of panel "${r.panel}" (${r.expr}) returns no data from Prometheus. Check its metric name and label values against Prometheus's query page.`);
  }
  return pass(`Grafana serves the provisioned dashboard "${dash.dashboard.title}" (uid ${spec.uid}) and its ${results.length} queries all return data from Prometheus.`);
}
