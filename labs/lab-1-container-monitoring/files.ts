// The configuration files of Lab 1, as the lab writes them into the learner's work folder
// (starting states) and as the solutions write them. The same YAML works on Prometheus 2.42
// (Debian's build, our CI) and 3.14 (the pinned image): nothing here uses a setting that
// differs between them. Targets are written host:port with the port explicit, because
// Prometheus 3 no longer adds a default port to a target.
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../lib/state.ts';

export const labId = 'lab-1-container-monitoring';

export const names = {
  network: 'm9-lab1-net',
  checkout: 'm9-lab1-checkout',
  loadgen: 'm9-lab1-loadgen',
  nodeExporter: 'm9-lab1-node-exporter',
  prometheus: 'm9-lab1-prometheus',
  alertmanager: 'm9-lab1-alertmanager',
  cadvisor: 'm9-lab1-cadvisor',
  reports: 'm9-lab1-reports',
  grafana: 'm9-lab1-grafana',
};

/** The learner's work folder: outside the repository, next to the lab progress file. */
export function workDir(): string {
  return join(stateDir(), labId);
}

/** Paths inside the containers where the work folder's parts are mounted. */
export const mounts = {
  prometheus: '/etc/module9',
  grafanaProvisioning: '/etc/grafana/provisioning',
  grafanaDashboards: '/etc/module9-dashboards',
};

export const scrapeIntervalSeconds = 5;

const header = (what: string) => `# ${what}\n# Written by npm run lab -- start ${labId}; yours to edit. Reload Prometheus after a change:\n#   docker kill --signal HUP ${names.prometheus}\n`;

export interface Job {
  name: string;
  target: string;
}

export const jobs = {
  prometheus: { name: 'prometheus', target: 'localhost:9090' },
  checkout: { name: 'checkout', target: `${names.checkout}:8080` },
  node: { name: 'node', target: `${names.nodeExporter}:9100` },
  alertmanager: { name: 'alertmanager', target: `${names.alertmanager}:9093` },
  cadvisor: { name: 'cadvisor', target: `${names.cadvisor}:8080` },
} satisfies Record<string, Job>;

/** prometheus.yml: global intervals, the rule files, optionally Alertmanager, and the jobs. */
export function prometheusConfig(scrape: Job[], options: { alertmanager?: boolean } = {}): string {
  const lines = [
    header('Prometheus configuration of Lab 1.'),
    'global:',
    `  scrape_interval: ${scrapeIntervalSeconds}s`,
    `  evaluation_interval: ${scrapeIntervalSeconds}s`,
    '',
    'rule_files:',
    `  - ${mounts.prometheus}/rules/*.yml`,
    '',
  ];
  if (options.alertmanager) {
    lines.push('alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: ['${jobs.alertmanager.target}']`, '');
  }
  lines.push('scrape_configs:');
  for (const job of scrape) lines.push(`  - job_name: ${job.name}`, '    static_configs:', `      - targets: ['${job.target}']`);
  return `${lines.join('\n')}\n`;
}

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  summary: string;
}

/** A Prometheus rule file with one group. */
export function ruleFile(group: string, rules: AlertRule[]): string {
  const lines = [header('Alerting rules of Lab 1.'), 'groups:', `  - name: ${group}`, '    rules:'];
  for (const r of rules) {
    lines.push(`      - alert: ${r.alert}`, `        expr: ${r.expr}`, `        for: ${r.for}`, '        labels:', '          severity: warning', '        annotations:', `          summary: ${JSON.stringify(r.summary)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The latency the checkout alert is about: p95 over the last 30 s, in seconds. */
export const p95Checkout = 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="checkout", route="/checkout"}[30s])))';
export const latencyThreshold = 0.25;
/** The same over 15 s (three scrapes): what the check calls "now", so a fix shows within seconds. */
export const p95CheckoutNow = p95Checkout.replace('[30s]', '[15s]');

export const checkoutSlowRule: AlertRule = {
  alert: 'CheckoutSlow',
  expr: `${p95Checkout} > ${latencyThreshold}`,
  for: '15s',
  summary: 'checkout p95 latency is {{ $value | humanizeDuration }}',
};

/** Memory working set as a share of the limit, for containers that have a limit. */
export const memoryRatio = (selector: string) => `container_memory_working_set_bytes{${selector}} / (container_spec_memory_limit_bytes{${selector}} > 0)`;
export const memoryThreshold = 0.8;

export const memoryRule = (selector: string): AlertRule => ({
  alert: 'ContainerMemoryNearLimit',
  expr: `max by (name, namespace, pod, container) (${memoryRatio(selector)}) > ${memoryThreshold}`,
  for: '30s',
  summary: '{{ $labels.name }}{{ $labels.container }} uses {{ $value | humanizePercentage }} of its memory limit',
});

/** Grafana: the Prometheus data source, provisioned by the lab. */
export function grafanaDatasource(url: string): string {
  return [
    `# Written by npm run lab -- start ${labId}.`,
    'apiVersion: 1',
    'datasources:',
    '  - name: Prometheus',
    '    uid: prometheus',
    '    type: prometheus',
    '    access: proxy',
    `    url: ${url}`,
    '    isDefault: true',
    '',
  ].join('\n');
}

/** Grafana: a file provider that loads every dashboard JSON file in a folder. */
export function grafanaDashboardProvider(path: string): string {
  return ['apiVersion: 1', 'providers:', '  - name: module9', '    type: file', '    updateIntervalSeconds: 10', '    allowUiUpdates: false', '    options:', `      path: ${path}`, ''].join('\n');
}

export const dashboardUid = 'm9-checkout';

/** The checkout dashboard: p95 latency, request rate and pool use. `job` is the job label of the checkout targets. */
export function checkoutDashboard(job = 'checkout'): object {
  const panel = (id: number, title: string, expr: string, unit: string, x: number) => ({
    id,
    type: 'timeseries',
    title,
    datasource: { type: 'prometheus', uid: 'prometheus' },
    gridPos: { h: 8, w: 8, x, y: 0 },
    fieldConfig: { defaults: { unit }, overrides: [] },
    targets: [{ refId: 'A', datasource: { type: 'prometheus', uid: 'prometheus' }, expr }],
  });
  return {
    uid: dashboardUid,
    title: 'Checkout',
    schemaVersion: 39,
    time: { from: 'now-15m', to: 'now' },
    refresh: '10s',
    panels: [
      panel(1, 'p95 latency', `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="${job}", route="/checkout"}[$__rate_interval])))`, 's', 0),
      panel(2, 'Orders per second', `sum(rate(http_request_duration_seconds_count{job="${job}", route="/checkout"}[$__rate_interval]))`, 'reqps', 8),
      panel(3, 'Connection pool', `checkout_db_pool_in_use{job="${job}"} / checkout_db_pool_size{job="${job}"}`, 'percentunit', 16),
    ],
  };
}

/** Writes a file readable by the containers' users (Prometheus runs as nobody, Grafana as 472). */
export function writeWorkFile(relative: string, content: string): string {
  const file = join(workDir(), relative);
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o755 });
  writeFileSync(file, content);
  chmodSync(file, 0o644);
  return file;
}

/** Empties a folder of the work folder (a starting state has no rule files or dashboards). */
export function clearWorkDir(relative: string): void {
  const dir = join(workDir(), relative);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}
