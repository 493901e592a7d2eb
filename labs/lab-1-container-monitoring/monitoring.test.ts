// The judging functions on JSON captured from Prometheus 2.42.0 (Debian's build, the local
// image) on Docker Engine 20.10, cgroup v1, while the lab ran: /api/v1/targets at the start of
// step 1 and with every job up, /api/v1/rules with CheckoutSlow pending, firing and resolved.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { latencySpec } from './docker-steps.ts';
import { checkoutDashboard, dashboardUid } from './files.ts';
import { dashboardSpec } from './docker-steps.ts';
import {
  expandGrafanaMacros,
  findAlertingRule,
  httpGet,
  judgeAlert,
  judgeDashboard,
  judgeTargets,
  panelQueries,
  Unreachable,
  type AlertSnapshot,
  type DashboardResponse,
  type RuleGroups,
  type Target,
} from './monitoring.ts';

const fixture = <T>(name: string) => (JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')) as { data: T }).data;
const activeTargets = (name: string) => fixture<{ activeTargets: Target[] }>(name).activeTargets;

const wanted = [
  { job: 'checkout', url: /\/\/m9-lab1-checkout:8080\/metrics$/, what: 'checkout' },
  { job: 'node', url: /\/\/m9-lab1-node-exporter:9100\/metrics$/, what: 'node-exporter' },
];

describe('judgeTargets', () => {
  it('fails with no-checkout-target when Prometheus scrapes only itself', () => {
    expect(judgeTargets(activeTargets('targets-start.json'), wanted, 'add a job')).toMatchObject({ status: 'fail', code: 'no-checkout-target' });
  });
  it('passes when checkout and node-exporter are up in their jobs', () => {
    expect(judgeTargets(activeTargets('targets-solved.json'), wanted, '')).toMatchObject({ status: 'pass', observed: expect.stringContaining('checkout: http://m9-lab1-checkout:8080/metrics') });
  });
  it('reports a down target with Prometheus\'s own error, and a target in the wrong job', () => {
    const down = structuredClone(activeTargets('targets-solved.json'));
    const checkout = down.find((t) => t.labels.job === 'checkout')!;
    Object.assign(checkout, { health: 'down', lastError: 'connection refused' });
    expect(judgeTargets(down, wanted, '')).toMatchObject({ code: 'target-down', reason: expect.stringContaining('connection refused') });
    checkout.labels.job = 'shop';
    expect(judgeTargets(down, wanted, '')).toMatchObject({ code: 'wrong-job' });
  });
  it('waits while a new target has not been scraped', () => {
    const fresh = structuredClone(activeTargets('targets-solved.json'));
    fresh.find((t) => t.labels.job === 'node')!.health = 'unknown';
    expect(judgeTargets(fresh, wanted, '')).toMatchObject({ code: 'target-unknown' });
  });
});

describe('judgeAlert', () => {
  const groups = (name: string) => fixture<RuleGroups>(name);
  const snap = (over: Partial<AlertSnapshot>): AlertSnapshot => ({ reloadOk: true, notServing: null, rule: null, firedRecently: false, condition: 0.48, delivered: 1, ...over });

  it('finds the alerting rule in the captured groups', () => {
    expect(findAlertingRule(groups('rules-firing.json'), 'CheckoutSlow')).toMatchObject({ state: 'firing', health: 'ok' });
    expect(findAlertingRule(groups('rules-firing.json'), 'Other')).toBeNull();
  });
  it('fails with no-rule at the start of the step', () => {
    expect(judgeAlert(latencySpec, snap({}))).toMatchObject({ code: 'no-rule' });
  });
  it('says the alert works and asks for the fix while it is pending or firing and the latency is high', () => {
    for (const file of ['rules-pending.json', 'rules-firing.json']) {
      expect(judgeAlert(latencySpec, snap({ rule: findAlertingRule(groups(file), 'CheckoutSlow'), firedRecently: file === 'rules-firing.json' }))).toMatchObject({ code: 'still-slow' });
    }
  });
  it('waits (resolving) while it still fires after the latency dropped', () => {
    expect(judgeAlert(latencySpec, snap({ rule: findAlertingRule(groups('rules-firing.json'), 'CheckoutSlow'), firedRecently: true, condition: 0.09 }))).toMatchObject({ code: 'resolving' });
  });
  it('passes once it fired, resolved, reached Alertmanager, and the service still serves fast', () => {
    const rule = findAlertingRule(groups('rules-inactive.json'), 'CheckoutSlow');
    expect(rule?.state).toBe('inactive');
    expect(judgeAlert(latencySpec, snap({ rule, firedRecently: true, condition: 0.098 }))).toMatchObject({ status: 'pass', observed: expect.stringContaining('0.098 s') });
  });
  it('rejects the wrong fixes: no data, a threshold never reached, no firing, no delivery, a broken reload', () => {
    const inactive = findAlertingRule(groups('rules-inactive.json'), 'CheckoutSlow');
    expect(judgeAlert(latencySpec, snap({ rule: inactive, firedRecently: true, notServing: 'checkout is down.' }))).toMatchObject({ code: 'not-serving' });
    expect(judgeAlert(latencySpec, snap({ rule: inactive, condition: 0.48 }))).toMatchObject({ code: 'rule-misses-condition' });
    expect(judgeAlert(latencySpec, snap({ rule: inactive, firedRecently: false, condition: 0.09 }))).toMatchObject({ code: 'never-fired' });
    expect(judgeAlert(latencySpec, snap({ rule: inactive, firedRecently: true, condition: 0.09, delivered: 0 }))).toMatchObject({ code: 'not-delivered' });
    expect(judgeAlert(latencySpec, snap({ rule: inactive, firedRecently: true, condition: 0.09, delivered: null }))).toMatchObject({ code: 'not-delivered' });
    expect(judgeAlert(latencySpec, snap({ reloadOk: false }))).toMatchObject({ code: 'config-reload-failed' });
  });
  it('reports a rule that cannot be evaluated with Prometheus\'s error', () => {
    const broken = { ...findAlertingRule(groups('rules-inactive.json'), 'CheckoutSlow')!, health: 'err' as const, lastError: 'vector contains metrics with the same labelset' };
    expect(judgeAlert(latencySpec, snap({ rule: broken }))).toMatchObject({ code: 'rule-error', reason: expect.stringContaining('same labelset') });
  });
});

describe('dashboards', () => {
  const dash: DashboardResponse = { meta: { provisioned: true }, dashboard: checkoutDashboard() as DashboardResponse['dashboard'] };
  const hits = [{ uid: dashboardUid, title: 'Checkout', type: 'dash-db' }];
  const results = (series: number) => panelQueries(dash.dashboard).map((q) => ({ ...q, series }));

  it('reads every panel query and replaces Grafana\'s interval macros', () => {
    const queries = panelQueries(dash.dashboard);
    expect(queries).toHaveLength(3);
    expect(expandGrafanaMacros(queries[0]!.expr)).toContain('[1m]');
    expect(expandGrafanaMacros('rate(x[${__rate_interval}]) + rate(y[$__interval])')).toBe('rate(x[1m]) + rate(y[15s])');
  });
  it('passes for the provisioned dashboard whose queries return data', () => {
    expect(judgeDashboard(dashboardSpec, hits, dash, results(1))).toMatchObject({ status: 'pass' });
  });
  it('fails for a missing, hand-made, empty or dataless dashboard', () => {
    expect(judgeDashboard(dashboardSpec, [], null, [])).toMatchObject({ code: 'no-dashboard' });
    expect(judgeDashboard(dashboardSpec, hits, { ...dash, meta: { provisioned: false } }, results(1))).toMatchObject({ code: 'not-provisioned' });
    expect(judgeDashboard(dashboardSpec, hits, { ...dash, dashboard: { ...dash.dashboard, panels: [] } }, [])).toMatchObject({ code: 'too-few-queries' });
    expect(judgeDashboard(dashboardSpec, hits, dash, results(0))).toMatchObject({ code: 'panel-no-data' });
    const noLatency = { ...dash, dashboard: { ...dash.dashboard, panels: dash.dashboard.panels!.slice(1) } };
    expect(judgeDashboard(dashboardSpec, hits, noLatency, results(1))).toMatchObject({ code: 'missing-panel' });
  });
});

describe('httpGet', () => {
  it('turns a refused connection into Unreachable with the next step', async () => {
    const get = httpGet('http://127.0.0.1:1', 'Prometheus (test)', 'start it');
    await expect(get('/api/v1/query', { query: 'up' })).rejects.toBeInstanceOf(Unreachable);
    await expect(get('/api/v1/query')).rejects.toMatchObject({ next: 'start it', message: expect.stringContaining('did not answer') });
  });
});
