// Lab 1, Docker part: Prometheus scrapes a containerised service and node-exporter, an alert
// rule fires on the service's real latency and resolves after the fix, cAdvisor shows a
// container near its memory limit, and Grafana serves a dashboard provisioned from files.
// Every check asks Prometheus or Grafana over HTTP (monitoring.ts), through the port Docker
// publishes on 127.0.0.1.
import { buildAppImage } from '../lib/app-image.ts';
import { labLabel, recreateContainer, type ContainerInspect } from '../lib/docker.ts';
import { imageRef } from '../lib/images.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { fail, pollWhileTransient, type CheckResult } from '../lib/result.ts';
import { waitUntil } from '../lib/wait.ts';
import {
  checkoutDashboard,
  checkoutSlowRule,
  clearWorkDir,
  dashboardUid,
  grafanaDashboardProvider,
  grafanaDatasource,
  jobs,
  labId,
  latencyThreshold,
  memoryRatio,
  memoryRule,
  memoryThreshold,
  mounts,
  names,
  p95Checkout,
  p95CheckoutNow,
  prometheusConfig,
  ruleFile,
  workDir,
  writeWorkFile,
} from './files.ts';
import {
  expandGrafanaMacros,
  findAlertingRule,
  guarded,
  httpGet,
  judgeAlert,
  judgeDashboard,
  judgeTargets,
  panelQueries,
  query,
  ready,
  rules,
  scalar,
  targets,
  Unreachable,
  type AlertSpec,
  type ApiClient,
  type DashboardResponse,
  type DashboardSpec,
  type SearchHit,
} from './monitoring.ts';

type Inspect = ContainerInspect & {
  NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null };
  Config: ContainerInspect['Config'] & { Env: string[] | null };
};

const label = ['--label', `${labLabel}=${labId}`];
const again = (step: string) => `npm run lab -- start ${labId} --from ${step}`;

// --- the containers ----------------------------------------------------------------------------

async function ensureNetwork(ctx: StepContext): Promise<void> {
  const exists = await ctx.shell.tryRun('docker', ['network', 'inspect', names.network], { quiet: true });
  if (exists.exitCode !== 0) await ctx.shell.run('docker', ['network', 'create', ...label, names.network]);
}

const appImage = (ctx: StepContext) => buildAppImage(ctx, { name: 'checkout', entry: new URL('app/checkout.ts', import.meta.url).pathname });

async function startCheckout(ctx: StepContext, poolSize: number): Promise<void> {
  const image = await appImage(ctx);
  await recreateContainer(ctx, names.checkout, ['--network', names.network, '-p', '127.0.0.1::8080', '-e', `POOL_SIZE=${poolSize}`], [], image);
}

async function startLoadgen(ctx: StepContext): Promise<void> {
  const image = await appImage(ctx);
  await recreateContainer(ctx, names.loadgen, ['--network', names.network, '-e', 'MODE=loadgen', '-e', `TARGET=http://${names.checkout}:8080/checkout`, '-e', 'CLIENTS=10', '-e', 'THINK_MS=100'], [], image);
}

async function startNodeExporter(ctx: StepContext): Promise<void> {
  // node-exporter in a container reads the host's /proc and /sys through read-only mounts.
  await recreateContainer(
    ctx,
    names.nodeExporter,
    ['--network', names.network, '--pid', 'host', '-v', '/proc:/host/proc:ro', '-v', '/sys:/host/sys:ro'],
    ['--path.procfs=/host/proc', '--path.sysfs=/host/sys'],
    imageRef('nodeExporter'),
  );
}

async function startAlertmanager(ctx: StepContext): Promise<void> {
  writeWorkFile('alertmanager/alertmanager.yml', ['# Alertmanager of Lab 1: every alert goes to one receiver with no notifier.', 'route:', '  receiver: lab', '  group_wait: 5s', 'receivers:', '  - name: lab', ''].join('\n'));
  await recreateContainer(
    ctx,
    names.alertmanager,
    ['--network', names.network, '-p', '127.0.0.1::9093', '-v', `${workDir()}/alertmanager:/etc/module9-alertmanager:ro`, '--tmpfs', '/alertmanager'],
    ['--config.file=/etc/module9-alertmanager/alertmanager.yml', '--storage.path=/alertmanager'],
    imageRef('alertmanager'),
  );
}

/** Recreates Prometheus (a clean history) on the work folder's configuration and waits until it answers. */
async function startPrometheus(ctx: StepContext): Promise<void> {
  await recreateContainer(
    ctx,
    names.prometheus,
    ['--network', names.network, '-p', '127.0.0.1::9090', '-v', `${workDir()}/prometheus:${mounts.prometheus}:ro`, '--tmpfs', '/prometheus'],
    [`--config.file=${mounts.prometheus}/prometheus.yml`, '--storage.tsdb.path=/prometheus', '--web.enable-lifecycle'],
    imageRef('prometheus'),
  );
  const api = await prometheusApi(ctx);
  await waitUntil(() => ready(api), `Prometheus (${names.prometheus}) to answer queries`, { timeoutMs: 60_000, intervalMs: 1000 });
}

/** Tells Prometheus to re-read its configuration and rule files (SIGHUP, as the page shows). */
async function reloadPrometheus(ctx: StepContext): Promise<void> {
  await ctx.shell.run('docker', ['kill', '--signal', 'HUP', names.prometheus]);
}

async function publishedUrl(ctx: StepContext, container: string, port: number, step = 'scrape-targets'): Promise<string> {
  const c = (await ctx.docker.inspect(container)) as Inspect | null;
  const binding = c?.State.Running ? c.NetworkSettings.Ports?.[`${port}/tcp`]?.find((b) => b.HostPort) : undefined;
  if (!c || !c.State.Running || !binding) {
    const state = !c ? 'does not exist' : !c.State.Running ? `is ${c.State.Status}` : `does not publish port ${port}`;
    throw new Unreachable(`${container} ${state}.`, `Look at it with docker ps -a --filter name=${container} and docker logs ${container}; to set the step up again: ${again(step)}`);
  }
  const host = binding.HostIp && binding.HostIp !== '0.0.0.0' ? binding.HostIp : '127.0.0.1';
  return `http://${host}:${binding.HostPort}`;
}

/** Throws Unreachable (the check reports `error`) when one of the lab's own containers is not running. */
async function publishedOrRunning(ctx: StepContext, container: string, step: string): Promise<void> {
  const c = await ctx.docker.inspect(container);
  if (!c || !c.State.Running) {
    throw new Unreachable(
      `The scrape target ${container} ${c ? `is ${c.State.Status} (exit code ${c.State.ExitCode})` : 'does not exist'}, so the check cannot tell whether Prometheus would scrape it.`,
      `Read its log (docker logs ${container}) and set the step up again: ${again(step)}`,
    );
  }
}

export async function prometheusApi(ctx: StepContext, step = 'scrape-targets'): Promise<ApiClient> {
  const next = `Check that ${names.prometheus} runs (docker ps) and read its log (docker logs ${names.prometheus}); to set the step up again: ${again(step)}`;
  const base = await publishedUrl(ctx, names.prometheus, 9090, step);
  return { name: `Prometheus (${names.prometheus})`, next, get: httpGet(base, `Prometheus (${names.prometheus})`, next) };
}

async function grafanaApi(ctx: StepContext): Promise<ApiClient> {
  const next = `Check that ${names.grafana} runs (docker ps) and read its log (docker logs ${names.grafana}); a provisioning file it cannot parse stops it from starting. To set the step up again: ${again('grafana-dashboard')}`;
  const base = await publishedUrl(ctx, names.grafana, 3000, 'grafana-dashboard');
  return { name: `Grafana (${names.grafana})`, next, get: httpGet(base, `Grafana (${names.grafana})`, next) };
}


const reloadFailed = fail('config-reload-failed', `Prometheus rejected its last configuration reload and still runs the configuration before it. Its log says why: docker logs ${names.prometheus}`);

async function reloadOk(api: ApiClient): Promise<boolean> {
  return (await scalar(api, 'prometheus_config_last_reload_successful')) !== 0;
}

// --- step 1: scrape targets -------------------------------------------------------------------

const startJobs = [jobs.prometheus];
const solvedJobs = [jobs.prometheus, jobs.checkout, jobs.node];

const wantedTargets = [
  { job: 'checkout', url: new RegExp(`//${names.checkout}:8080/metrics$`), what: `the checkout service (${names.checkout}, port 8080)` },
  { job: 'node', url: new RegExp(`//${names.nodeExporter}:9100/metrics$`), what: `node-exporter (${names.nodeExporter}, port 9100)` },
];

export async function checkScrapeTargets(api: ApiClient, timeoutMs = 30_000): Promise<CheckResult> {
  return pollWhileTransient(
    async () => {
      if (!(await reloadOk(api))) return reloadFailed;
      return judgeTargets(await targets(api), wantedTargets, `Add a scrape job to ${workDir()}/prometheus/prometheus.yml and reload Prometheus.`);
    },
    ['target-unknown'],
    { timeoutMs, intervalMs: 2000 },
  );
}

async function waitForTargetsUp(ctx: StepContext): Promise<void> {
  const api = await prometheusApi(ctx);
  await waitUntil(async () => (await checkScrapeTargets(api, 0)).status === 'pass', 'Prometheus to scrape checkout and node-exporter', { timeoutMs: 60_000, intervalMs: 2000 });
}

async function baseStack(ctx: StepContext, poolSize: number): Promise<void> {
  await ensureNetwork(ctx);
  await startNodeExporter(ctx);
  await startCheckout(ctx, poolSize);
  await startLoadgen(ctx);
}

// --- step 2: latency alert ----------------------------------------------------------------------

export const latencySpec: AlertSpec = {
  alert: checkoutSlowRule.alert,
  condition: `checkout's p95 latency is above ${latencyThreshold} s`,
  threshold: latencyThreshold,
  format: (v) => `${v.toFixed(3)} s`,
  fixCode: 'still-slow',
  fixText:
    'Now find out why checkout is slow and fix that. Compare its own metrics with each other: checkout_db_pool_in_use, checkout_db_pool_size and checkout_db_pool_waiting.',
  window: '15 minutes',
  again: again('latency-alert'),
};

async function checkoutServing(api: ApiClient): Promise<string | null> {
  const up = await scalar(api, `up{job="checkout"}`);
  if (up === null) return 'Prometheus has no checkout target any more (up{job="checkout"} is empty).';
  if (up === 0) return `checkout is down (up{job="checkout"} is 0): Prometheus cannot scrape ${names.checkout}.`;
  const rate = await scalar(api, 'sum(rate(http_request_duration_seconds_count{job="checkout", route="/checkout", code="200"}[30s]))');
  if (rate === null || rate < 1) return `checkout answers ${rate === null ? 'no' : rate.toFixed(1)} orders per second; the load generator ${names.loadgen} keeps it busy when both run.`;
  return null;
}

export async function checkLatencyAlert(api: ApiClient, timeoutMs = 180_000): Promise<CheckResult> {
  return pollWhileTransient(
    async () => {
      const groups = await rules(api);
      const fired = await query(api, `max_over_time(ALERTS{alertname="${latencySpec.alert}", alertstate="firing"}[15m])`);
      const delivered = await scalar(api, 'sum(alertmanager_alerts_received_total{status="firing"})');
      return judgeAlert(latencySpec, {
        reloadOk: await reloadOk(api),
        notServing: await checkoutServing(api),
        rule: findAlertingRule(groups, latencySpec.alert),
        firedRecently: fired.length > 0,
        condition: await scalar(api, p95CheckoutNow),
        delivered,
      });
    },
    ['resolving', 'rule-not-evaluated'],
    { timeoutMs, intervalMs: 5000 },
  );
}

async function alertState(ctx: StepContext, alert: string): Promise<string> {
  const rule = findAlertingRule(await rules(await prometheusApi(ctx)), alert);
  return rule?.state ?? 'missing';
}

// --- step 3: memory near the limit (cAdvisor) -------------------------------------------------------

const reportsSelector = `name="${names.reports}"`;
/** The lab's own containers: cAdvisor sees every container on the host, other projects' too. */
const labContainers = 'name=~"m9-lab1-.+"';

export const memorySpec = (again: string): AlertSpec => ({
  alert: 'ContainerMemoryNearLimit',
  condition: `the reports container's memory working set is above ${memoryThreshold * 100}% of its limit`,
  threshold: memoryThreshold,
  format: (v) => `${(v * 100).toFixed(0)}%`,
  fixCode: 'still-near-limit',
  fixText: 'Now give the container room: its limit must fit what it holds, with headroom (or make it hold less).',
  window: '15 minutes',
  again,
});

async function startReports(ctx: StepContext, memory: string, cacheMb: number): Promise<void> {
  const image = await appImage(ctx);
  await recreateContainer(ctx, names.reports, ['--network', names.network, '--memory', memory, '--memory-swap', memory, '-e', `CACHE_MB=${cacheMb}`], [], image);
}

async function startCadvisor(ctx: StepContext): Promise<void> {
  // The mounts and flags of cAdvisor's own "Quick Start" (docs/running.md), minus the host port.
  await recreateContainer(
    ctx,
    names.cadvisor,
    [
      '--network', names.network, '--privileged', '--device', '/dev/kmsg',
      '-v', '/:/rootfs:ro', '-v', '/var/run:/var/run:ro', '-v', '/sys:/sys:ro', '-v', '/var/lib/docker/:/var/lib/docker:ro', '-v', '/dev/disk/:/dev/disk:ro',
    ],
    ['--docker_only=true', '--housekeeping_interval=5s'],
    imageRef('cadvisor'),
  );
}

export async function checkMemoryAlert(ctx: StepContext, api: ApiClient, timeoutMs = 180_000): Promise<CheckResult> {
  const spec = memorySpec(again('memory-near-limit'));
  return pollWhileTransient(
    async () => {
      const c = await ctx.docker.inspect(names.reports);
      let notServing: string | null = null;
      if (!c) notServing = `There is no container ${names.reports}.`;
      else if (!c.State.Running) notServing = `${names.reports} is ${c.State.Status} (OOMKilled=${c.State.OOMKilled}).`;
      else if (c.HostConfig.Memory <= 0) return fail('no-memory-limit', `${names.reports} has no memory limit any more (HostConfig.Memory is 0): the alert resolves, but the container may now take all of the host's memory. Keep a limit.`);
      const groups = await rules(api);
      const fired = await query(api, `max_over_time(ALERTS{alertname="${spec.alert}", alertstate="firing"}[15m])`);
      return judgeAlert(spec, {
        reloadOk: await reloadOk(api),
        notServing,
        rule: findAlertingRule(groups, spec.alert),
        firedRecently: fired.length > 0,
        condition: await scalar(api, `max(${memoryRatio(reportsSelector)})`),
      });
    },
    ['resolving', 'rule-not-evaluated'],
    { timeoutMs, intervalMs: 5000 },
  );
}

// --- step 4: Grafana dashboard -----------------------------------------------------------------------

export const dashboardSpec: DashboardSpec = {
  uid: dashboardUid,
  title: 'Checkout',
  mustQuery: { pattern: /histogram_quantile\(.*http_request_duration_seconds_bucket/s, what: "checkout's p95 latency (histogram_quantile over http_request_duration_seconds_bucket)" },
};

/** Reads Grafana's search and dashboard APIs, runs each panel query on Prometheus, and judges. */
export async function checkDashboard(grafana: ApiClient, prometheus: ApiClient, spec = dashboardSpec): Promise<CheckResult> {
  await grafana.get('/api/health');
  const hits = (await grafana.get('/api/search', { type: 'dash-db' })) as SearchHit[];
  if (!Array.isArray(hits)) throw new Unreachable(`${grafana.name} answered /api/search with something that is not a list: ${JSON.stringify(hits).slice(0, 120)}`, grafana.next);
  const found = hits.some((h) => h.uid === spec.uid);
  const dash = found ? ((await grafana.get(`/api/dashboards/uid/${spec.uid}`)) as DashboardResponse) : null;
  const results: { panel: string; expr: string; series: number | string }[] = [];
  if (dash?.dashboard) {
    for (const q of panelQueries(dash.dashboard)) {
      const expr = expandGrafanaMacros(q.expr);
      if (expr.includes('$')) {
        results.push({ panel: q.panel, expr: q.expr, series: 'it uses a dashboard variable; this lab\'s dashboard uses fixed label values' });
        continue;
      }
      try {
        results.push({ panel: q.panel, expr: q.expr, series: (await query(prometheus, expr)).length });
      } catch (cause) {
        if (!(cause instanceof Unreachable) || !/refused/.test(cause.message)) throw cause;
        results.push({ panel: q.panel, expr: q.expr, series: cause.message });
      }
    }
  }
  return judgeDashboard(spec, hits, dash?.dashboard ? dash : null, results);
}

async function startGrafana(ctx: StepContext): Promise<void> {
  clearWorkDir('grafana/provisioning/dashboards');
  // Grafana also reads these provisioning folders; they stay empty.
  for (const dir of ['plugins', 'alerting']) clearWorkDir(`grafana/provisioning/${dir}`);
  clearWorkDir('grafana/dashboards');
  writeWorkFile('grafana/provisioning/datasources/prometheus.yml', grafanaDatasource(`http://${names.prometheus}:9090`));
  await recreateContainer(
    ctx,
    names.grafana,
    [
      '--network', names.network, '-p', '127.0.0.1::3000', '--tmpfs', '/var/lib/grafana',
      '-v', `${workDir()}/grafana/provisioning:${mounts.grafanaProvisioning}:ro`,
      '-v', `${workDir()}/grafana/dashboards:${mounts.grafanaDashboards}:ro`,
      '-e', 'GF_AUTH_ANONYMOUS_ENABLED=true', '-e', 'GF_AUTH_ANONYMOUS_ORG_ROLE=Viewer', '-e', 'GF_SECURITY_ADMIN_PASSWORD=module9-lab',
    ],
    [],
    imageRef('grafana'),
  );
  const api = await grafanaApi(ctx);
  await waitUntil(async () => (await api.get('/api/health').then(() => true, () => false)), `Grafana (${names.grafana}) to answer`, { timeoutMs: 120_000, intervalMs: 2000 });
}

function writeDashboard(): void {
  writeWorkFile('grafana/provisioning/dashboards/module9.yml', grafanaDashboardProvider(mounts.grafanaDashboards));
  writeWorkFile('grafana/dashboards/checkout.json', `${JSON.stringify(checkoutDashboard(), null, 2)}\n`);
}

// --- the steps ---------------------------------------------------------------------------------------

export const dockerSteps: Step[] = [
  {
    id: 'scrape-targets',
    title: 'Scrape the service and node-exporter',
    target: 'docker',
    images: ['prometheus', 'nodeExporter', 'node'],
    goal:
      `Prometheus (${names.prometheus}) scrapes only itself. Make it scrape the checkout service ` +
      `(${names.checkout}, metrics on port 8080) in a job named checkout, and node-exporter ` +
      `(${names.nodeExporter}, port 9100) in a job named node. The configuration is ` +
      `${workDir()}/prometheus/prometheus.yml; after ` +
      `editing it, reload Prometheus: docker kill --signal HUP ${names.prometheus}. See the ` +
      `targets with: curl -s http://$(docker port ${names.prometheus} 9090/tcp)/api/v1/targets`,
    async setup(ctx) {
      await baseStack(ctx, 8);
      writeWorkFile('prometheus/prometheus.yml', prometheusConfig(startJobs));
      clearWorkDir('prometheus/rules');
      await startPrometheus(ctx);
    },
    check: async (ctx) =>
      guarded(async () => {
        // The lab's own targets must run: if one is gone, the check cannot judge the scrape config.
        for (const name of [names.checkout, names.nodeExporter]) await publishedOrRunning(ctx, name, 'scrape-targets');
        return checkScrapeTargets(await prometheusApi(ctx));
      }),
    expected: { failsWith: 'no-checkout-target' },
    hints: {
      'no-checkout-target': [
        'A scrape job is an entry under scrape_configs with a job_name and static_configs: a list of targets written host:port. On the network m9-lab1-net, containers reach each other by container name.',
        'Prometheus 3 no longer adds a port to a target for you: write m9-lab1-checkout:8080. The metrics path defaults to /metrics.',
      ],
      'no-node-target': ['node-exporter listens on port 9100. Add a second job, named node.'],
      'target-down': ['Read lastError of the target in /api/v1/targets, and compare the port with the one the service really listens on: docker logs m9-lab1-checkout prints it.'],
      'config-reload-failed': ['docker logs m9-lab1-prometheus names the line Prometheus could not parse. YAML indentation matters.'],
      default: ['Look at Status > Targets in the Prometheus UI (the address docker port m9-lab1-prometheus 9090/tcp prints) or at /api/v1/targets.'],
    },
    cheats: [
      {
        name: 'scrapes checkout on a port it does not listen on',
        apply: async (ctx) => {
          writeWorkFile('prometheus/prometheus.yml', prometheusConfig([jobs.prometheus, { name: 'checkout', target: `${names.checkout}:80` }, jobs.node]));
          await reloadPrometheus(ctx);
          const api = await prometheusApi(ctx);
          await waitUntil(async () => (await targets(api)).some((t) => t.labels.job === 'checkout' && t.health !== 'unknown'), 'the wrong checkout target to be scraped once', { timeoutMs: 30_000, intervalMs: 1000 });
        },
      },
      {
        name: 'scrapes checkout but not node-exporter',
        apply: async (ctx) => {
          writeWorkFile('prometheus/prometheus.yml', prometheusConfig([jobs.prometheus, jobs.checkout]));
          await reloadPrometheus(ctx);
          const api = await prometheusApi(ctx);
          await waitUntil(async () => (await targets(api)).some((t) => t.labels.job === 'checkout'), 'the reload', { timeoutMs: 30_000, intervalMs: 1000 });
        },
      },
    ],
    async solve(ctx) {
      writeWorkFile('prometheus/prometheus.yml', prometheusConfig(solvedJobs));
      await reloadPrometheus(ctx);
      await waitForTargetsUp(ctx);
    },
  },
  {
    id: 'latency-alert',
    title: 'An alert on latency that fires, then resolves',
    target: 'docker',
    images: ['prometheus', 'nodeExporter', 'node', 'alertmanager'],
    goal:
      `Orders to checkout have become slow. Write an alerting rule named ${checkoutSlowRule.alert} in ` +
      `${workDir()}/prometheus/rules/checkout.yml: it fires when checkout's p95 latency over ` +
      `the last 30 seconds (from the histogram http_request_duration_seconds, job checkout, route ` +
      `/checkout) stays above ${latencyThreshold} s for 15 seconds. Reload Prometheus and watch the alert ` +
      `go pending, then firing, and reach Alertmanager (${names.alertmanager}). Then find the cause in ` +
      `checkout's own metrics and fix it, and watch the alert resolve.`,
    async setup(ctx) {
      await baseStack(ctx, 1);
      await startAlertmanager(ctx);
      writeWorkFile('prometheus/prometheus.yml', prometheusConfig([...solvedJobs, jobs.alertmanager], { alertmanager: true }));
      clearWorkDir('prometheus/rules');
      await startPrometheus(ctx);
      const api = await prometheusApi(ctx);
      await waitUntil(async () => (await scalar(api, 'up{job="alertmanager"}')) === 1, `Prometheus to reach Alertmanager (${names.alertmanager})`, { timeoutMs: 60_000, intervalMs: 2000 });
      await waitUntil(async () => ((await scalar(api, p95Checkout)) ?? 0) > latencyThreshold, `checkout's p95 latency to rise above ${latencyThreshold} s`, { timeoutMs: 90_000, intervalMs: 2000 });
    },
    check: async (ctx) => guarded(async () => checkLatencyAlert(await prometheusApi(ctx, 'latency-alert'))),
    expected: { failsWith: 'no-rule' },
    hints: {
      'no-rule': [
        'A rule file has groups, each with a name and rules; an alerting rule has alert, expr, for, and optionally labels and annotations. Prometheus loads the files that rule_files in prometheus.yml names.',
        `The p95 over 30 s comes from the buckets: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="checkout", route="/checkout"}[30s]))). Compare it with ${latencyThreshold}.`,
      ],
      'still-slow': [
        'checkout_db_pool_in_use equals checkout_db_pool_size, and checkout_db_pool_waiting stays above 0: every order waits for one of too few connection slots.',
        `The pool size comes from the POOL_SIZE environment variable (docker inspect ${names.checkout}). The environment is fixed when a container is created: recreate it with the same name, network, label and published port, and a pool that fits the load.`,
      ],
      'rule-misses-condition': ['Run the rule\'s expression in Prometheus\'s query page: it must return a series exactly while the latency is above the threshold.'],
      'never-fired': ['The alert has to fire before the fix. Start the step again; it makes checkout slow again.'],
      default: ['The Alerts page of the Prometheus UI shows each rule\'s state; /api/v1/rules gives the same as JSON, with any evaluation error.'],
    },
    cheats: [
      {
        name: 'writes a rule whose threshold the latency never reaches',
        apply: async (ctx) => {
          writeWorkFile('prometheus/rules/checkout.yml', ruleFile('checkout', [{ ...checkoutSlowRule, expr: `${p95Checkout} > 10` }]));
          await reloadPrometheus(ctx);
          const api = await prometheusApi(ctx);
          await waitUntil(async () => findAlertingRule(await rules(api), latencySpec.alert)?.health === 'ok', 'the rule to be evaluated', { timeoutMs: 30_000, intervalMs: 1000 });
        },
      },
      {
        name: 'stops checkout, so the latency has no data',
        apply: async (ctx) => {
          writeWorkFile('prometheus/rules/checkout.yml', ruleFile('checkout', [checkoutSlowRule]));
          await reloadPrometheus(ctx);
          await ctx.shell.run('docker', ['stop', names.checkout]);
          const api = await prometheusApi(ctx);
          await waitUntil(async () => (await scalar(api, `up{job="checkout"}`)) === 0, 'Prometheus to see checkout down', { timeoutMs: 30_000, intervalMs: 1000 });
        },
      },
    ],
    async solve(ctx) {
      writeWorkFile('prometheus/rules/checkout.yml', ruleFile('checkout', [checkoutSlowRule]));
      await reloadPrometheus(ctx);
      await waitUntil(async () => (await alertState(ctx, latencySpec.alert)) === 'firing', `${latencySpec.alert} to fire`, { timeoutMs: 120_000, intervalMs: 2000 });
      await startCheckout(ctx, 8);
      await waitUntil(async () => (await alertState(ctx, latencySpec.alert)) === 'inactive', `${latencySpec.alert} to resolve`, { timeoutMs: 150_000, intervalMs: 2000 });
    },
  },
  {
    id: 'memory-near-limit',
    title: 'cAdvisor: a container near its memory limit',
    target: 'docker',
    images: ['prometheus', 'cadvisor', 'node'],
    goal:
      `cAdvisor (${names.cadvisor}) exports every container's resource use, and Prometheus scrapes it ` +
      `in the job cadvisor. Write an alerting rule named ContainerMemoryNearLimit in ` +
      `${workDir()}/prometheus/rules/memory.yml: it fires when a container's memory working set stays above ` +
      `${memoryThreshold * 100}% of its memory limit for 30 seconds, and ignores containers that have no limit. ` +
      `Reload Prometheus and watch it fire for ${names.reports}. Then give ${names.reports} room ` +
      `(keep a memory limit) and watch the alert resolve.`,
    async setup(ctx) {
      await ensureNetwork(ctx);
      await startCadvisor(ctx);
      await startReports(ctx, '256m', 200);
      writeWorkFile('prometheus/prometheus.yml', prometheusConfig([jobs.prometheus, jobs.cadvisor]));
      clearWorkDir('prometheus/rules');
      await startPrometheus(ctx);
      const api = await prometheusApi(ctx);
      await waitUntil(async () => ((await scalar(api, `max(${memoryRatio(reportsSelector)})`)) ?? 0) > memoryThreshold, `${names.reports} to use more than ${memoryThreshold * 100}% of its memory limit, as cAdvisor reports it`, { timeoutMs: 120_000, intervalMs: 2000 });
    },
    check: async (ctx) => guarded(async () => checkMemoryAlert(ctx, await prometheusApi(ctx, 'memory-near-limit'))),
    expected: { failsWith: 'no-rule' },
    hints: {
      'no-rule': [
        'cAdvisor exports container_memory_working_set_bytes and container_spec_memory_limit_bytes, both with the label name (the container name). Divide one by the other.',
        'A container without a limit can show container_spec_memory_limit_bytes 0 (the division then gives +Inf and the alert fires for it) or a huge number, depending on the cgroup version. Keep only limits above 0: (container_spec_memory_limit_bytes > 0).',
      ],
      'still-near-limit': [`docker update --memory and --memory-swap change the limit of a running container; or recreate ${names.reports} with a smaller CACHE_MB.`],
      default: ['Query the ratio in the Prometheus UI first; write the rule when the query shows what you expect.'],
    },
    cheats: [
      {
        name: 'removes the container, so the alert has no data',
        apply: async (ctx) => {
          writeWorkFile('prometheus/rules/memory.yml', ruleFile('memory', [memoryRule(labContainers)]));
          await reloadPrometheus(ctx);
          await ctx.docker.removeContainer(names.reports);
        },
      },
      {
        name: 'recreates the container without a memory limit',
        apply: async (ctx) => {
          const image = await appImage(ctx);
          await recreateContainer(ctx, names.reports, ['--network', names.network, '-e', 'CACHE_MB=200'], [], image);
        },
      },
    ],
    async solve(ctx) {
      writeWorkFile('prometheus/rules/memory.yml', ruleFile('memory', [memoryRule(labContainers)]));
      await reloadPrometheus(ctx);
      await waitUntil(async () => (await alertState(ctx, 'ContainerMemoryNearLimit')) === 'firing', 'ContainerMemoryNearLimit to fire', { timeoutMs: 120_000, intervalMs: 2000 });
      await ctx.shell.run('docker', ['update', '--memory', '512m', '--memory-swap', '512m', names.reports]);
      await waitUntil(async () => (await alertState(ctx, 'ContainerMemoryNearLimit')) === 'inactive', 'ContainerMemoryNearLimit to resolve', { timeoutMs: 150_000, intervalMs: 2000 });
    },
  },
  {
    id: 'grafana-dashboard',
    title: 'A Grafana dashboard provisioned from files',
    target: 'docker',
    images: ['prometheus', 'nodeExporter', 'node', 'grafana'],
    goal:
      `Grafana (${names.grafana}) has the Prometheus data source (uid prometheus), provisioned by the ` +
      `lab. Provision a dashboard from files: a dashboard provider in ${workDir()}/grafana/provisioning/dashboards/ ` +
      `that reads ${mounts.grafanaDashboards}, and in ${workDir()}/grafana/dashboards/ a ` +
      `dashboard with uid ${dashboardUid} and at least two panels: checkout's p95 latency and its orders ` +
      `per second. Restart Grafana to load the provider: docker restart ${names.grafana}.`,
    async setup(ctx) {
      await baseStack(ctx, 8);
      writeWorkFile('prometheus/prometheus.yml', prometheusConfig(solvedJobs));
      clearWorkDir('prometheus/rules');
      await startPrometheus(ctx);
      await waitForTargetsUp(ctx);
      await startGrafana(ctx);
    },
    check: async (ctx) => guarded(async () => pollWhileTransient(async () => checkDashboard(await grafanaApi(ctx), await prometheusApi(ctx, 'grafana-dashboard')), ['panel-no-data'], { timeoutMs: 20_000, intervalMs: 5000 })),
    expected: { failsWith: 'no-dashboard' },
    hints: {
      'no-dashboard': [
        'A dashboard provider is a YAML file with apiVersion: 1 and providers: each has a name, type: file and options.path, the folder in the container where the JSON files are.',
        'The dashboard JSON needs a uid, a title and panels; each panel has targets with an expr. Grafana reads providers when it starts: docker restart m9-lab1-grafana.',
      ],
      'not-provisioned': ['Dashboards saved in the UI or posted to the API live in Grafana\'s database. Write the JSON into the dashboards folder instead, and delete the other one.'],
      'panel-no-data': ['Run the panel\'s query in Prometheus\'s query page. The metric names are the ones /metrics of checkout shows.'],
      default: ['docker logs m9-lab1-grafana shows what the provisioning found and any file it could not read.'],
    },
    cheats: [
      {
        name: 'creates the dashboard through the HTTP API instead of a file',
        apply: async (ctx) => {
          const base = await publishedUrl(ctx, names.grafana, 3000);
          const response = await fetch(`${base}/api/dashboards/db`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from('admin:module9-lab').toString('base64')}` },
            body: JSON.stringify({ dashboard: checkoutDashboard(), overwrite: true }),
          });
          if (!response.ok) throw new Error(`POST /api/dashboards/db answered ${response.status}: ${await response.text()}`);
        },
      },
      {
        name: 'provisions a dashboard whose latency panel queries a metric that does not exist',
        apply: async (ctx) => {
          const broken = JSON.parse(JSON.stringify(checkoutDashboard()).replaceAll('http_request_duration_seconds_bucket', 'http_request_duration_bucket')) as object;
          writeWorkFile('grafana/provisioning/dashboards/module9.yml', grafanaDashboardProvider(mounts.grafanaDashboards));
          writeWorkFile('grafana/dashboards/checkout.json', JSON.stringify(broken, null, 2));
          await ctx.shell.run('docker', ['restart', names.grafana]);
          const api = await grafanaApi(ctx);
          await waitUntil(async () => api.get(`/api/dashboards/uid/${dashboardUid}`).then((d) => !!(d as DashboardResponse).dashboard, () => false), 'Grafana to load the dashboard', { timeoutMs: 120_000, intervalMs: 2000 });
        },
      },
    ],
    async solve(ctx) {
      writeDashboard();
      await ctx.shell.run('docker', ['restart', names.grafana]);
      const api = await grafanaApi(ctx);
      await waitUntil(async () => api.get(`/api/dashboards/uid/${dashboardUid}`).then((d) => !!(d as DashboardResponse).dashboard, () => false), 'Grafana to load the provisioned dashboard', { timeoutMs: 120_000, intervalMs: 2000 });
    },
  },
];
