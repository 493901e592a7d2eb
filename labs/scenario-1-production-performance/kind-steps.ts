// Scenario 1, Kubernetes part (kind): the same shop as four Deployments. The learner reads the
// kubelet's cAdvisor metrics (and kubectl top, where metrics-server runs) to find the container
// that holds the shop back, names it, and fixes the Deployment. The check measures the outcome
// from inside the cluster: quotes sent at a steady rate from the shoppers' Pod.
import { join } from 'node:path';
import { buildAppImage } from '../lib/app-image.ts';
import { causeAnswers } from '../lib/cause-answers.ts';
import { defineDiagnosis } from '../lib/diagnose.ts';
import { deploymentsState, execIn, getDeployments, loadIntoKind, rolloutStatus, serviceManifest, type Deployment, type ServiceSpec } from '../lib/kind-app.ts';
import type { KubeClient } from '../lib/kube.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { fail, pass, pollWhileTransient, type CheckResult } from '../lib/result.ts';
import type { Timing } from '../lib/traffic.ts';
import { waitUntil } from '../lib/wait.ts';
import { parseQuantity } from '../lab-2-resource-optimization/quantity.ts';
import { causeWords, checkLoad, describeTiming, judgeQuotes, labId, latencyBoundMs, names, prefix, slowQuotesQuestion, symptomLatencyMs } from './docker-steps.ts';

export const appDeployments = [names.storefront, names.pricing, names.inventory];
const allDeployments = [...appDeployments, names.shoppers];

export function shopServices(image: string): ServiceSpec[] {
  const memory = { memory: '64Mi' };
  return [
    { name: names.pricing, container: 'pricing', image, http: true, resources: { requests: { cpu: '100m', ...memory }, limits: { cpu: '100m', memory: '128Mi' } } },
    { name: names.inventory, container: 'inventory', image, http: true, resources: { requests: { cpu: '50m', ...memory }, limits: { cpu: '500m', memory: '128Mi' } } },
    {
      name: names.storefront,
      container: 'storefront',
      image,
      http: true,
      env: { PRICING_URL: `http://${names.pricing}:8080`, INVENTORY_URL: `http://${names.inventory}:8080` },
      resources: { requests: { cpu: '100m', ...memory }, limits: { cpu: '1', memory: '128Mi' } },
    },
    { name: names.shoppers, container: 'shoppers', image, http: false, env: { STOREFRONT_URL: `http://${names.storefront}:8080` }, resources: { requests: { cpu: '50m', ...memory }, limits: { cpu: '500m', memory: '128Mi' } } },
  ];
}

export const shopManifest = (image: string) => shopServices(image).map((s) => serviceManifest(labId, s)).join('---\n');

function kubeOf(ctx: StepContext): KubeClient {
  if (!ctx.kube) throw new Error('a kind step ran without a Kubernetes context');
  return ctx.kube;
}

/** The measure command of the shop's image, run in the shoppers' Pod: quotes at a steady rate. */
export async function measureInCluster(kube: KubeClient, { count, rate } = checkLoad): Promise<{ timing: Timing | null; problem?: string }> {
  const r = await execIn(kube, names.shoppers, 'shoppers', ['node', '/app/app.cjs', 'measure', `http://${names.storefront}:8080`, String(count), String(rate)]);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.exitCode !== 0 || !line.startsWith('{')) return { timing: null, problem: (r.stderr.trim() || r.stdout.trim()).split('\n').at(-1) ?? `exit ${r.exitCode}` };
  return { timing: JSON.parse(line) as Timing };
}

/** The shop as the check needs it: the four Deployments up and rolled out, each service with a CPU limit. */
export function shopStructureKind(deployments: Record<string, Deployment | null>): CheckResult | null {
  const state = deploymentsState(labId, 'shop-latency-kind', deployments);
  if (state?.status === 'fail' && state.code !== 'rollout-in-progress') return state;
  for (const name of appDeployments) {
    const unlimited = deployments[name]!.spec.template.spec.containers.find((c) => !(parseQuantity(c.resources?.limits?.cpu) ?? 0));
    if (unlimited) {
      return fail('no-cpu-limit', `Container ${unlimited.name} of ${name} has no CPU limit, so one busy service can take the CPU its neighbours on the node need. Keep a limit on every service, one that fits what it needs under load.`);
    }
  }
  return state;
}

export function judgeMeasured(measured: { timing: Timing | null; problem?: string }): CheckResult {
  if (!measured.timing) return fail('errors', `Could not send quotes from the shoppers' Pod: ${measured.problem}`);
  return judgeQuotes(measured.timing, "measured from the shoppers' Pod", `kubectl logs deploy/${names.storefront}`);
}

export async function checkShopKind(ctx: StepContext): Promise<CheckResult> {
  const kube = kubeOf(ctx);
  return pollWhileTransient(
    async () => shopStructureKind(await getDeployments(kube, allDeployments)) ?? judgeMeasured(await measureInCluster(kube)),
    ['rollout-in-progress'],
    { timeoutMs: 180_000, intervalMs: 3000 },
  );
}

export interface CadvisorSample {
  namespace: string;
  pod: string;
  container: string;
  periods: number;
  throttled: number;
}

/**
 * The CFS counters per container, from the kubelet's cAdvisor metrics (Prometheus text):
 * container_cpu_cfs_periods_total and container_cpu_cfs_throttled_periods_total. Series without
 * a container label (the Pod's own cgroup) are skipped.
 */
export function parseCadvisorCfs(text: string): CadvisorSample[] {
  const samples = new Map<string, CadvisorSample>();
  for (const line of text.split('\n')) {
    const m = /^container_cpu_cfs_(periods|throttled_periods)_total\{([^}]*)\} ([0-9.e+]+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (!labels.container || !labels.pod) continue;
    const key = `${labels.namespace}/${labels.pod}/${labels.container}`;
    const sample = samples.get(key) ?? { namespace: labels.namespace ?? '', pod: labels.pod, container: labels.container, periods: 0, throttled: 0 };
    if (m[1] === 'periods') sample.periods = Number(m[3]);
    else sample.throttled = Number(m[3]);
    samples.set(key, sample);
  }
  return [...samples.values()];
}

/** The lab's containers throttled in at least a quarter of their periods since they started. */
export function heldBackInCluster(samples: CadvisorSample[], namespace: string): CadvisorSample[] {
  return samples.filter((s) => s.namespace === namespace && s.periods >= 20 && s.throttled / s.periods >= 0.25);
}

interface PodList {
  items: { metadata: { name: string; labels?: Record<string, string> }; spec: { nodeName?: string } }[];
}

async function cadvisorTruth(kube: KubeClient): Promise<string[]> {
  const pods = (await kube.getJson<PodList>(['get', 'pods', '-n', kube.namespace]))?.items ?? [];
  const nodes = [...new Set(pods.map((p) => p.spec.nodeName).filter((n): n is string => !!n))];
  const samples: CadvisorSample[] = [];
  for (const node of nodes) {
    samples.push(...parseCadvisorCfs((await kube.kubectl(['get', '--raw', `/api/v1/nodes/${node}/proxy/metrics/cadvisor`], { quiet: true, timeoutSeconds: 60 })).stdout));
  }
  const deploymentOf = (pod: string) => pods.find((p) => p.metadata.name === pod)?.metadata.labels?.app;
  const held = heldBackInCluster(samples, kube.namespace);
  const workloads = held.flatMap((s) => [deploymentOf(s.pod), s.pod].filter((n): n is string => !!n));
  return causeAnswers(workloads, ['cpu'], prefix);
}

export async function setupShopKind(ctx: StepContext): Promise<void> {
  const kube = kubeOf(ctx);
  const image = await buildAppImage(ctx, { name: 'shop', entry: join(import.meta.dirname, 'shop.ts') });
  await loadIntoKind(ctx, image);
  await kube.apply(shopManifest(image));
  await rolloutStatus(kube, allDeployments);
  await waitUntil(async () => ((await measureInCluster(kube, { count: 20, rate: 20 })).timing?.p95 ?? 0) > symptomLatencyMs, `quotes to slow down past ${symptomLatencyMs} ms`, {
    timeoutMs: 120_000,
    intervalMs: 2000,
  });
}

async function symptomKind(ctx: StepContext): Promise<CheckResult> {
  const { timing, problem } = await measureInCluster(kubeOf(ctx));
  return timing && timing.p95 > symptomLatencyMs && timing.errors === 0
    ? pass(`measured from the shoppers' Pod: ${describeTiming(timing)}`)
    : fail('no-symptom', `expected p95 above ${symptomLatencyMs} ms with no errors, got ${timing ? describeTiming(timing) : problem}`);
}

const conceal = {
  causeWords,
  names: [...allDeployments, `module9/${labId}-shop:local`, 'storefront', 'pricing', 'inventory', 'shoppers'],
  files: ['shop.ts'],
};

const patchDeployment = (ctx: StepContext, name: string, patch: object) =>
  kubeOf(ctx).kubectl(['patch', 'deployment', name, '-n', kubeOf(ctx).namespace, '--type', 'json', '-p', JSON.stringify(patch)]);

export const kindSteps: Step[] = [
  defineDiagnosis({
    id: 'slow-quotes-diagnose-kind',
    title: 'Diagnose: slow quotes (kind)',
    target: 'kind',
    question: slowQuotesQuestion('Deployment'),
    setup: setupShopKind,
    symptom: symptomKind,
    truth: (ctx) => cadvisorTruth(kubeOf(ctx)),
    wrongAnswers: [`${names.storefront} cpu`, `${names.pricing} memory`, `${names.inventory} cpu`],
    hints: {
      default: [
        `Start where the time goes: kubectl exec deploy/${names.shoppers} -- node /app/app.cjs measure http://${names.storefront}:8080 40 20, then the storefront's own metrics: kubectl port-forward deploy/${names.storefront} 8080 and curl -s localhost:8080/metrics | grep upstream_duration_seconds_sum.`,
        `kubectl top pod (if metrics-server runs) shows usage. A low number does not mean a container has enough: compare it with what the container is allowed (kubectl get deploy -o yaml, resources).`,
        `The kubelet exports each container's cgroup counters: kubectl get --raw /api/v1/nodes/<node>/proxy/metrics/cadvisor | grep container_cpu_cfs. Compare throttled periods with periods, per container.`,
      ],
    },
    conceal,
    images: ['node'],
  }),
  {
    id: 'shop-latency-kind',
    title: 'Fix: quotes within 200 ms again (kind)',
    target: 'kind',
    goal:
      `Make the shop answer 95% of quotes within ${latencyBoundMs} ms again, measured from the shoppers' Pod at 20 quotes a second. ` +
      `Fix the Deployment you named. Keep all four Deployments running, and keep a CPU limit on every service.`,
    setup: setupShopKind,
    symptom: symptomKind,
    check: checkShopKind,
    expected: { failsWith: 'slow' },
    hints: {
      slow: [
        `Compare container_cpu_cfs_throttled_periods_total with container_cpu_cfs_periods_total for the container you named. How much CPU is it allowed (resources.limits.cpu), and what does it need at this traffic?`,
        `kubectl set resources deployment ${names.pricing} -c pricing --limits=cpu=... changes the Pod template; the Deployment then rolls out a new Pod. Each quote costs the pricing service about 8 ms of CPU; leave headroom.`,
      ],
      'no-cpu-limit': ['Removing the limit makes quotes fast, and lets one busy service starve the others on the node. Keep a limit that fits.'],
      'scaled-to-zero': ['Scaling a workload to zero hides the problem: the shop still has to serve its shoppers.'],
      default: [`kubectl get deploy,pods -l module9.lab=${labId} shows what runs.`],
    },
    cheats: [
      { name: 'removes the CPU limit of pricing', apply: async (ctx) => void (await patchDeployment(ctx, names.pricing, [{ op: 'remove', path: '/spec/template/spec/containers/0/resources/limits/cpu' }])) },
      {
        name: 'raises the CPU limit of the storefront instead',
        apply: async (ctx) => {
          await kubeOf(ctx).kubectl(['set', 'resources', 'deployment', names.storefront, '-n', kubeOf(ctx).namespace, '-c', 'storefront', '--limits=cpu=2']);
          await rolloutStatus(kubeOf(ctx), [names.storefront]);
        },
      },
      { name: 'scales the shoppers to zero', apply: async (ctx) => void (await kubeOf(ctx).kubectl(['scale', `deployment/${names.shoppers}`, '-n', kubeOf(ctx).namespace, '--replicas=0'])) },
      { name: 'scales pricing to zero', apply: async (ctx) => void (await kubeOf(ctx).kubectl(['scale', `deployment/${names.pricing}`, '-n', kubeOf(ctx).namespace, '--replicas=0'])) },
      { name: 'deletes the pricing Deployment', apply: async (ctx) => void (await kubeOf(ctx).kubectl(['delete', `deployment/${names.pricing}`, '-n', kubeOf(ctx).namespace, '--wait=true'])) },
    ],
    async solve(ctx) {
      const kube = kubeOf(ctx);
      await kube.kubectl(['set', 'resources', 'deployment', names.pricing, '-n', kube.namespace, '-c', 'pricing', '--limits=cpu=1', '--requests=cpu=200m']);
      await rolloutStatus(kube, [names.pricing]);
    },
    conceal,
    images: ['node'],
  },
];
