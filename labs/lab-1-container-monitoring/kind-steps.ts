// Lab 1, Kubernetes part (kind): kube-prometheus-stack, pinned in labs/images.ts, runs the
// Prometheus Operator, Prometheus and Grafana in the lab namespace. The learner tells it what to
// scrape with a ServiceMonitor, what to alert on with a PrometheusRule, and which dashboard to
// load with a labelled ConfigMap. The checks read Prometheus and Grafana through the API
// server's service proxy (kubectl get --raw), with the same judging functions as the Docker part.
import { buildAppImage } from '../lib/app-image.ts';
import { labLabel } from '../lib/docker.ts';
import { imageRef } from '../lib/images.ts';
import type { KubeClient } from '../lib/kube.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { fail, pollWhileTransient, type CheckResult } from '../lib/result.ts';
import { waitUntil } from '../lib/wait.ts';
import { charts, images, type ImageName } from '../images.ts';
import { labClusterName } from '../lib/context-guard.ts';
import { checkDashboard, memorySpec } from './docker-steps.ts';
import { checkoutDashboard, dashboardUid, labId, memoryRatio, memoryRule, memoryThreshold, type AlertRule } from './files.ts';
import {
  findAlertingRule,
  guarded,
  judgeAlert,
  judgeTargets,
  query,
  rules,
  scalar,
  targets,
  Unreachable,
  type ApiClient,
  type DashboardResponse,
} from './monitoring.ts';

export const release = 'm9-monitoring';
export const services = { prometheus: 'm9-kps-prometheus:http-web', grafana: 'm9-grafana:80' };
const again = (step: string) => `npm run lab -- start ${labId} --target kind --from ${step}`;

/** Registry, repository, tag and digest of a pinned image, as the charts' image values take them. */
export function helmImage(name: ImageName, mirror = process.env.LAB_IMAGE_MIRROR): { registry: string; repository: string; tag: string; sha: string } {
  const ref = imageRef(name, mirror);
  const [withoutDigest, digest] = ref.split('@');
  const slash = withoutDigest!.indexOf('/');
  const colon = withoutDigest!.lastIndexOf(':');
  return {
    registry: withoutDigest!.slice(0, slash),
    repository: withoutDigest!.slice(slash + 1, colon),
    tag: withoutDigest!.slice(colon + 1),
    sha: digest ? digest.replace(/^sha256:/, '') : '',
  };
}

/** kube-prometheus-stack's cAdvisor relabelling, without its drop of container_spec_* (the memory limit). */
export const cAdvisorMetricRelabelings = [
  { sourceLabels: ['__name__'], action: 'drop', regex: 'container_cpu_(load_average_10s|system_seconds_total|user_seconds_total)' },
  { sourceLabels: ['__name__'], action: 'drop', regex: 'container_fs_(io_current|io_time_seconds_total|io_time_weighted_seconds_total|reads_merged_total|sector_reads_total|sector_writes_total|writes_merged_total)' },
  { sourceLabels: ['__name__'], action: 'drop', regex: 'container_memory_(mapped_file|swap)' },
  { sourceLabels: ['__name__'], action: 'drop', regex: 'container_(file_descriptors|tasks_state|threads_max)' },
  { sourceLabels: ['id', 'pod'], action: 'drop', regex: '.+;' },
];

/**
 * The chart values: only the operator, Prometheus and Grafana, every image from the pinned list,
 * every object labelled for cleanup, Grafana confined to the lab namespace (a Role, not a
 * ClusterRole), anonymous read-only access to Grafana for the check.
 */
export function stackValues(namespace: string, mirror = process.env.LAB_IMAGE_MIRROR): Record<string, unknown> {
  const off = { enabled: false };
  return {
    fullnameOverride: 'm9-kps',
    commonLabels: { [labLabel]: labId },
    defaultRules: { create: false },
    alertmanager: off,
    kubeStateMetrics: off,
    nodeExporter: off,
    windowsMonitoring: off,
    kubeApiServer: off,
    kubeControllerManager: off,
    kubeScheduler: off,
    kubeProxy: off,
    kubeEtcd: off,
    coreDns: off,
    kubeDns: off,
    kubelet: { enabled: true, serviceMonitor: { interval: '10s', cAdvisorInterval: '10s', cAdvisorMetricRelabelings } },
    prometheusOperator: {
      admissionWebhooks: off,
      tls: off,
      kubeletService: { enabled: true, namespace },
      image: helmImage('prometheusOperator', mirror),
      prometheusConfigReloader: { image: helmImage('prometheusConfigReloader', mirror) },
    },
    prometheus: {
      prometheusSpec: {
        image: helmImage('prometheus', mirror),
        scrapeInterval: '10s',
        evaluationInterval: '10s',
        retention: '2h',
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
      },
    },
    grafana: {
      fullnameOverride: 'm9-grafana',
      image: helmImage('grafana', mirror),
      extraLabels: { [labLabel]: labId },
      adminPassword: 'module9-lab',
      defaultDashboardsEnabled: false,
      testFramework: off,
      rbac: { namespaced: true },
      'grafana.ini': { 'auth.anonymous': { enabled: true, org_role: 'Viewer' } },
      sidecar: {
        image: helmImage('k8sSidecar', mirror),
        dashboards: { searchNamespace: namespace },
        datasources: { searchNamespace: namespace },
      },
    },
  };
}

/** The CRDs the chart installs (not templated, so not labelled by it): the lab labels them for cleanup. */
export const stackCrds = ['alertmanagerconfigs', 'alertmanagers', 'podmonitors', 'probes', 'prometheusagents', 'prometheuses', 'prometheusrules', 'scrapeconfigs', 'servicemonitors', 'thanosrulers'].map(
  (name) => `${name}.monitoring.coreos.com`,
);

/** The chart's CRDs already on the cluster without the lab label (`kubectl get crd -o json`). */
export function foreignCrds(result: { exitCode: number; stdout: string }): Set<string> {
  if (result.exitCode !== 0) return new Set();
  const list = JSON.parse(result.stdout) as { items: { metadata: { name: string; labels?: Record<string, string> } }[] };
  return new Set(list.items.filter((crd) => stackCrds.includes(crd.metadata.name) && crd.metadata.labels?.[labLabel] !== labId).map((crd) => crd.metadata.name));
}

function kubeOf(ctx: StepContext): KubeClient {
  if (!ctx.kube) throw new Error('a kind step ran without a Kubernetes context');
  return ctx.kube;
}

/** Installs (or leaves in place) the pinned chart in the lab namespace and waits for it. */
async function ensureStack(ctx: StepContext): Promise<void> {
  const kube = kubeOf(ctx);
  const chart = charts.kubePrometheusStack;
  const listed = await ctx.shell.run('helm', ['list', '--kube-context', kube.context, '-n', kube.namespace, '-o', 'json'], { quiet: true });
  const have = (JSON.parse(listed.stdout || '[]') as { name: string; chart: string; status: string }[]).find((r) => r.name === release);
  // CRDs that exist without the lab's label belong to another Prometheus Operator install on
  // this cluster: the lab must neither label them nor, at cleanup, delete them.
  const foreign = foreignCrds(await kube.tryKubectl(['get', 'crd', '-o', 'json'], { quiet: true }));
  if (!have || have.status !== 'deployed' || have.chart !== `${chart.chart}-${chart.version}`) {
    await ctx.shell.run(
      'helm',
      ['upgrade', '--install', release, chart.chart, '--repo', chart.repo, '--version', chart.version, '--kube-context', kube.context, '-n', kube.namespace, '-f', '-', '--wait', '--timeout', '10m'],
      { input: JSON.stringify(stackValues(kube.namespace)), timeoutSeconds: 660 },
    );
  }
  const ours = stackCrds.filter((crd) => !foreign.has(crd));
  if (ours.length > 0) await kube.kubectl(['label', 'crd', ...ours, `${labLabel}=${labId}`, '--overwrite']);
  await kube.kubectl(['rollout', 'status', 'deployment/m9-grafana', '-n', kube.namespace, '--timeout=300s'], { timeoutSeconds: 320 });
  await waitUntil(async () => (await kube.tryKubectl(['get', 'statefulset', 'prometheus-m9-kps-prometheus', '-n', kube.namespace], { quiet: true })).exitCode === 0, 'the operator to create the Prometheus StatefulSet', { timeoutMs: 180_000, intervalMs: 3000 });
  await kube.kubectl(['rollout', 'status', 'statefulset/prometheus-m9-kps-prometheus', '-n', kube.namespace, '--timeout=300s'], { timeoutSeconds: 320 });
}

/** An ApiGet through the API server's service proxy. */
export function proxyGet(kube: Pick<KubeClient, 'tryKubectl' | 'namespace' | 'context'>, service: string, name: string, next: string): ApiClient {
  return {
    name,
    next,
    async get(path, params = {}) {
      const qs = Object.keys(params).length ? `?${new URLSearchParams(params)}` : '';
      const raw = `/api/v1/namespaces/${kube.namespace}/services/${service}/proxy${path}${qs}`;
      const result = await kube.tryKubectl(['get', '--raw', raw], { quiet: true, timeoutSeconds: 30 });
      if (result.exitCode !== 0) {
        // The proxy passes the server's own error body through; Prometheus's is JSON with status "error".
        const body = result.stderr.match(/\{.*\}/s)?.[0];
        if (body) {
          try {
            return JSON.parse(body) as unknown;
          } catch {
            // not JSON: fall through to Unreachable
          }
        }
        throw new Unreachable(`${name} did not answer through the API server's service proxy (kubectl get --raw ${raw}): ${result.stderr.trim().split('\n').at(-1)}`, next);
      }
      try {
        return JSON.parse(result.stdout) as unknown;
      } catch {
        throw new Unreachable(`${name} answered ${raw} with something that is not JSON: ${result.stdout.slice(0, 120)}`, next);
      }
    },
  };
}

const prometheusApi = (kube: KubeClient, step: string) =>
  proxyGet(kube, services.prometheus, 'Prometheus (kube-prometheus-stack)', `Check its Pod: kubectl --context ${kube.context} -n ${kube.namespace} get pods -l app.kubernetes.io/name=prometheus; to set the step up again: ${again(step)}`);

const grafanaApi = (kube: KubeClient) =>
  proxyGet(kube, services.grafana, 'Grafana (kube-prometheus-stack)', `Check its Pod: kubectl --context ${kube.context} -n ${kube.namespace} get pods -l app.kubernetes.io/name=grafana; to set the step up again: ${again('grafana-configmap')}`);


// --- the workloads ----------------------------------------------------------------------------------

const appRef = 'module9/lab-1-container-monitoring-checkout:local';

/** Builds the sample service and side-loads it into the kind nodes (it is never pushed anywhere). */
async function loadAppImage(ctx: StepContext): Promise<void> {
  const ref = await buildAppImage(ctx, { name: 'checkout', entry: new URL('app/checkout.ts', import.meta.url).pathname });
  await ctx.shell.run('kind', ['load', 'docker-image', ref, '--name', labClusterName], { timeoutSeconds: 300 });
}

const labels = (app: string) => ({ app, [labLabel]: labId });

export function appDeployment(name: string, env: Record<string, string>, memory?: string, port = true): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: labels(name) },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: labels(name) },
        spec: {
          containers: [
            {
              name,
              image: appRef,
              imagePullPolicy: 'Never',
              env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
              ...(port ? { ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 2 } } : {}),
              resources: memory ? { requests: { cpu: '50m', memory }, limits: { memory } } : { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
            },
          ],
        },
      },
    },
  };
}

export const checkoutService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'checkout', labels: labels('checkout') },
  spec: { selector: { app: 'checkout' }, ports: [{ name: 'http', port: 8080, targetPort: 'http' }] },
};

export function serviceMonitor(options: { releaseLabel?: boolean; port?: string } = {}): object {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: 'checkout', labels: { [labLabel]: labId, ...(options.releaseLabel === false ? {} : { release }) } },
    spec: { selector: { matchLabels: { app: 'checkout' } }, endpoints: [{ port: options.port ?? 'http', interval: '10s' }] },
  };
}

export function prometheusRule(rule: AlertRule, options: { releaseLabel?: boolean } = {}): object {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'memory', labels: { [labLabel]: labId, ...(options.releaseLabel === false ? {} : { release }) } },
    spec: { groups: [{ name: 'memory', rules: [{ alert: rule.alert, expr: rule.expr, for: rule.for, labels: { severity: 'warning' }, annotations: { summary: rule.summary } }] }] },
  };
}

export function dashboardConfigMap(dashboard: object, options: { sidecarLabel?: boolean } = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'checkout-dashboard', labels: { [labLabel]: labId, ...(options.sidecarLabel === false ? {} : { grafana_dashboard: '1' }) } },
    data: { 'checkout.json': JSON.stringify(dashboard) },
  };
}

const manifest = (...objects: object[]) => objects.map((o) => JSON.stringify(o)).join('\n---\n');

async function deleteIfPresent(kube: KubeClient, ...resources: string[]): Promise<void> {
  await kube.kubectl(['delete', ...resources, '-n', kube.namespace, '--ignore-not-found', '--wait=true', '--timeout=120s'], { timeoutSeconds: 150 });
}

async function rollout(kube: KubeClient, name: string): Promise<void> {
  await kube.kubectl(['rollout', 'status', `deployment/${name}`, '-n', kube.namespace, '--timeout=180s'], { timeoutSeconds: 200 });
}

async function startCheckout(ctx: StepContext): Promise<void> {
  const kube = kubeOf(ctx);
  await loadAppImage(ctx);
  await kube.apply(manifest(appDeployment('checkout', { POOL_SIZE: '8' }), checkoutService, appDeployment('loadgen', { MODE: 'loadgen', TARGET: 'http://checkout:8080/checkout' }, undefined, false)));
  await rollout(kube, 'checkout');
  await rollout(kube, 'loadgen');
}

// --- step checks ---------------------------------------------------------------------------------------

export const kindTargets = [{ job: 'checkout', url: /:8080\/metrics$/, what: 'the Service checkout (port http, 8080)' }];

export async function checkServiceMonitor(api: ApiClient, namespace: string, timeoutMs = 60_000): Promise<CheckResult> {
  return pollWhileTransient(
    async () => {
      const active = (await targets(api)).filter((t) => t.labels.namespace === namespace);
      return judgeTargets(active, kindTargets, 'Create a ServiceMonitor that Prometheus selects; the operator then writes the scrape job into its configuration.');
    },
    // The operator and the config reloader take a while to pick a new ServiceMonitor up.
    ['target-unknown', 'no-checkout-target'],
    { timeoutMs, intervalMs: 5000 },
  );
}

interface DeploymentStatus {
  spec: { template: { spec: { containers: { resources?: { limits?: Record<string, string> } }[] } } };
  status?: { readyReplicas?: number };
}

const reportsSelector = (namespace: string) => `namespace="${namespace}", container="reports"`;

export async function checkMemoryAlertKind(kube: KubeClient, api: ApiClient, timeoutMs = 240_000): Promise<CheckResult> {
  const spec = memorySpec(again('memory-near-limit-kind'));
  return pollWhileTransient(
    async () => {
      const d = await kube.getJson<DeploymentStatus>(['get', 'deployment', 'reports', '-n', kube.namespace]);
      let notServing: string | null = null;
      if (!d) notServing = 'There is no Deployment reports.';
      else if (!d.status?.readyReplicas) notServing = 'The Deployment reports has no ready Pod.';
      else if (!d.spec.template.spec.containers[0]?.resources?.limits?.memory) {
        return fail('no-memory-limit', 'The reports container has no memory limit any more: the alert resolves, but the Pod may now take all of the node\'s memory. Keep a limit.');
      }
      const fired = await query(api, `max_over_time(ALERTS{alertname="${spec.alert}", alertstate="firing"}[15m])`);
      return judgeAlert(spec, {
        reloadOk: true,
        notServing,
        rule: findAlertingRule(await rules(api), spec.alert),
        firedRecently: fired.length > 0,
        condition: await scalar(api, `max(${memoryRatio(reportsSelector(kube.namespace))})`),
      });
    },
    ['resolving', 'rule-not-evaluated'],
    { timeoutMs, intervalMs: 10_000 },
  );
}

async function alertState(kube: KubeClient, step: string, alert: string): Promise<string> {
  return findAlertingRule(await rules(prometheusApi(kube, step)), alert)?.state ?? 'missing';
}

const kindMemoryRule = (namespace: string) => memoryRule(`namespace="${namespace}", container!=""`);

// --- the steps ------------------------------------------------------------------------------------------

export const kindSteps: Step[] = [
  {
    id: 'servicemonitor',
    title: 'kube-prometheus-stack: a ServiceMonitor for the service',
    target: 'kind',
    images: ['prometheus', 'prometheusOperator', 'prometheusConfigReloader', 'grafana', 'k8sSidecar', 'node'],
    goal:
      `The lab installed kube-prometheus-stack ${charts.kubePrometheusStack.version} as the Helm release ${release} in the lab ` +
      'namespace, and the Deployment checkout with a Service checkout (port name http, metrics on /metrics). ' +
      'Make Prometheus scrape it: create a ServiceMonitor named checkout. Prometheus only picks up the ' +
      'ServiceMonitors its serviceMonitorSelector matches: kubectl get prometheus -o yaml shows it.',
    async setup(ctx) {
      const kube = kubeOf(ctx);
      await ensureStack(ctx);
      await deleteIfPresent(kube, 'servicemonitor/checkout');
      await startCheckout(ctx);
    },
    check: async (ctx) => guarded(async () => checkServiceMonitor(prometheusApi(kubeOf(ctx), 'servicemonitor'), kubeOf(ctx).namespace)),
    expected: { failsWith: 'no-checkout-target' },
    hints: {
      'no-checkout-target': [
        'A ServiceMonitor selects Services by label (spec.selector) and names the Service port to scrape (spec.endpoints[].port, the port name, not the number).',
        `kube-prometheus-stack's Prometheus selects ServiceMonitors labelled release: ${release} (serviceMonitorSelector in kubectl get prometheus -o yaml).`,
      ],
      default: ['The targets page of Prometheus: kubectl port-forward svc/m9-kps-prometheus 9090, then http://localhost:9090/targets.'],
    },
    cheats: [
      { name: 'creates the ServiceMonitor without the label Prometheus selects', apply: async (ctx) => kubeOf(ctx).apply(manifest(serviceMonitor({ releaseLabel: false }))) },
      { name: 'names a Service port that does not exist', apply: async (ctx) => kubeOf(ctx).apply(manifest(serviceMonitor({ port: 'metrics' }))) },
    ],
    async solve(ctx) {
      const kube = kubeOf(ctx);
      await kube.apply(manifest(serviceMonitor()));
      await waitUntil(async () => (await checkServiceMonitor(prometheusApi(kube, 'servicemonitor'), kube.namespace, 0)).status === 'pass', 'Prometheus to scrape checkout', { timeoutMs: 180_000, intervalMs: 5000 });
    },
  },
  {
    id: 'memory-near-limit-kind',
    title: 'A PrometheusRule: a container near its memory limit',
    target: 'kind',
    images: ['prometheus', 'prometheusOperator', 'prometheusConfigReloader', 'grafana', 'k8sSidecar', 'node'],
    goal:
      'The Deployment reports holds a cache close to its memory limit. Prometheus scrapes the kubelet\'s ' +
      'cAdvisor endpoint (container_memory_working_set_bytes, container_spec_memory_limit_bytes). Create a ' +
      `PrometheusRule named memory with an alert ContainerMemoryNearLimit: a container's working set above ` +
      `${memoryThreshold * 100}% of its limit for 30 seconds. Watch it fire, then give reports room ` +
      '(kubectl set resources) and watch it resolve.',
    async setup(ctx) {
      const kube = kubeOf(ctx);
      await ensureStack(ctx);
      await loadAppImage(ctx);
      await deleteIfPresent(kube, 'prometheusrule/memory', 'deployment/reports');
      await kube.apply(manifest(appDeployment('reports', { CACHE_MB: '200' }, '256Mi')));
      await rollout(kube, 'reports');
      const api = prometheusApi(kube, 'memory-near-limit-kind');
      await waitUntil(async () => ((await scalar(api, `max(${memoryRatio(reportsSelector(kube.namespace))})`)) ?? 0) > memoryThreshold, `reports to use more than ${memoryThreshold * 100}% of its memory limit`, { timeoutMs: 180_000, intervalMs: 5000 });
    },
    check: async (ctx) => guarded(async () => checkMemoryAlertKind(kubeOf(ctx), prometheusApi(kubeOf(ctx), 'memory-near-limit-kind'))),
    expected: { failsWith: 'no-rule' },
    hints: {
      'no-rule': [
        'A PrometheusRule holds rule groups like a rule file. kube-prometheus-stack\'s Prometheus loads only the PrometheusRules its ruleSelector matches (label release: m9-monitoring).',
        'Divide container_memory_working_set_bytes by (container_spec_memory_limit_bytes > 0), both filtered to the lab namespace and a non-empty container label.',
      ],
      'still-near-limit': ['kubectl set resources deployment reports --limits=memory=... --requests=memory=... rolls out a new Pod with the new limit.'],
      default: ['Run the ratio as a query in Prometheus first (kubectl port-forward svc/m9-kps-prometheus 9090).'],
    },
    cheats: [
      { name: 'creates the PrometheusRule without the label Prometheus selects', apply: async (ctx) => kubeOf(ctx).apply(manifest(prometheusRule(kindMemoryRule(kubeOf(ctx).namespace), { releaseLabel: false }))) },
      { name: 'scales reports to zero, so the alert has no data', apply: async (ctx) => void (await kubeOf(ctx).kubectl(['scale', 'deployment/reports', '-n', kubeOf(ctx).namespace, '--replicas=0'])) },
    ],
    async solve(ctx) {
      const kube = kubeOf(ctx);
      await kube.apply(manifest(prometheusRule(kindMemoryRule(kube.namespace))));
      await waitUntil(async () => (await alertState(kube, 'memory-near-limit-kind', 'ContainerMemoryNearLimit')) === 'firing', 'ContainerMemoryNearLimit to fire', { timeoutMs: 240_000, intervalMs: 5000 });
      await kube.kubectl(['set', 'resources', 'deployment', 'reports', '-n', kube.namespace, '--requests=memory=512Mi', '--limits=memory=512Mi']);
      await rollout(kube, 'reports');
      await waitUntil(async () => (await alertState(kube, 'memory-near-limit-kind', 'ContainerMemoryNearLimit')) === 'inactive', 'ContainerMemoryNearLimit to resolve', { timeoutMs: 240_000, intervalMs: 5000 });
    },
  },
  {
    id: 'grafana-configmap',
    title: 'Grafana: a dashboard from a ConfigMap',
    target: 'kind',
    images: ['prometheus', 'prometheusOperator', 'prometheusConfigReloader', 'grafana', 'k8sSidecar', 'node'],
    goal:
      `Grafana's sidecar loads dashboards from ConfigMaps in the lab namespace that carry the label grafana_dashboard: "1". ` +
      `Provision the checkout dashboard that way: uid ${dashboardUid}, at least two panels (checkout's p95 ` +
      'latency and its orders per second), on the data source with uid prometheus.',
    async setup(ctx) {
      const kube = kubeOf(ctx);
      await ensureStack(ctx);
      await deleteIfPresent(kube, 'configmap/checkout-dashboard');
      await startCheckout(ctx);
      await kube.apply(manifest(serviceMonitor()));
      await waitUntil(async () => (await checkServiceMonitor(prometheusApi(kube, 'grafana-configmap'), kube.namespace, 0)).status === 'pass', 'Prometheus to scrape checkout', { timeoutMs: 180_000, intervalMs: 5000 });
    },
    check: async (ctx) => guarded(async () => pollWhileTransient(async () => checkDashboard(grafanaApi(kubeOf(ctx)), prometheusApi(kubeOf(ctx), 'grafana-configmap')), ['no-dashboard', 'panel-no-data'], { timeoutMs: 90_000, intervalMs: 5000 })),
    expected: { failsWith: 'no-dashboard' },
    hints: {
      'no-dashboard': ['kubectl create configmap checkout-dashboard --from-file=checkout.json, then kubectl label configmap checkout-dashboard grafana_dashboard=1. The sidecar copies it into Grafana within seconds.'],
      default: ['kubectl logs deployment/m9-grafana -c grafana-sc-dashboard shows what the sidecar found.'],
    },
    cheats: [
      { name: 'creates the ConfigMap without the label the sidecar watches', apply: async (ctx) => kubeOf(ctx).apply(manifest(dashboardConfigMap(checkoutDashboard(), { sidecarLabel: false }))) },
    ],
    async solve(ctx) {
      const kube = kubeOf(ctx);
      await kube.apply(manifest(dashboardConfigMap(checkoutDashboard())));
      const grafana = grafanaApi(kube);
      await waitUntil(async () => grafana.get(`/api/dashboards/uid/${dashboardUid}`).then((d) => !!(d as DashboardResponse).dashboard, () => false), 'Grafana to load the dashboard', { timeoutMs: 120_000, intervalMs: 3000 });
    },
  },
];

/** Every image the kind part runs, for the page and the tests. */
export const kindImages = [...new Set(kindSteps.flatMap((s) => s.images ?? []))].map((name) => images[name]);
