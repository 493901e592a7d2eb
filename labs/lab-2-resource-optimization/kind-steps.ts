// Lab 2, Kubernetes part (kind): QoS classes as the API server computes them, LimitRange
// defaults, a ResourceQuota rejection, and an HPA scaling on CPU through metrics-server.
// Each check is a pure function of `kubectl get -o json` output (unit-tested on captured
// JSON), wrapped in a bounded poll for states that settle by themselves (rollouts, metrics).
import type { KubeClient } from '../lib/kube.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { fail, pass, pollWhileTransient, type CheckResult } from '../lib/result.ts';
import { waitUntil } from '../lib/wait.ts';
import { barePod, deployment, hpa, limitRange, quotaHard, resourceQuota } from './manifests.ts';
import { metricsServerManifest } from './metrics-server.ts';
import { sameQuantity } from './quantity.ts';

interface Container {
  name: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface Pod {
  metadata: { name: string; deletionTimestamp?: string; annotations?: Record<string, string>; ownerReferences?: { kind: string; name: string }[] };
  spec: { containers: Container[] };
  status: { phase?: string; qosClass?: string; conditions?: { type: string; status: string }[] };
}

export interface Deployment {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number; template: { spec: { containers: Container[] } } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number; availableReplicas?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export interface List<T> {
  items: T[];
}

export interface LimitRangeObject {
  spec: { limits: { type: string; default?: Record<string, string>; defaultRequest?: Record<string, string> }[] };
}

export interface QuotaObject {
  spec: { hard: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

export interface HpaObject {
  spec: {
    scaleTargetRef: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: { type: string; resource?: { name: string; target: { type: string; averageUtilization?: number } } }[];
  };
  status?: { currentReplicas?: number; desiredReplicas?: number; currentMetrics?: { type: string; resource?: { name: string; current: { averageUtilization?: number } } }[] | null };
}

const live = (pods: Pod[]) => pods.filter((p) => !p.metadata.deletionTimestamp);
const isReady = (p: Pod) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** null when the Deployment has finished rolling out; otherwise a transient failure. */
export function rolloutState(d: Deployment | null, name: string): CheckResult | null {
  if (!d) return fail('deployment-missing', `There is no Deployment ${name}. Change the Deployment rather than replacing it; to start over: npm run lab -- start lab-2-resource-optimization --from <this step>`);
  const want = d.spec.replicas ?? 1;
  const s = d.status ?? {};
  const quota = s.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (quota) return fail('replica-failure', `${name} cannot create Pods: ${quota.reason}: ${quota.message}`);
  if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 0) || s.updatedReplicas !== want || s.readyReplicas !== want || (s.replicas ?? 0) > want) {
    return fail('rollout-in-progress', `${name} is still rolling out: ${s.readyReplicas ?? 0} of ${want} Pods ready, ${s.updatedReplicas ?? 0} up to date.`);
  }
  return null;
}

export function judgeQos(d: Deployment | null, pods: Pod[]): CheckResult {
  const rollout = rolloutState(d, 'm9-api');
  if (rollout) return rollout;
  const current = live(pods);
  const bare = current.filter((p) => !p.metadata.ownerReferences?.some((o) => o.kind === 'ReplicaSet'));
  if (bare.length > 0) return fail('not-from-deployment', `Pod ${bare[0]!.metadata.name} has app=m9-api but no ReplicaSet owns it. Change the Deployment's Pod template instead of creating Pods.`);
  const wrong = current.filter((p) => p.status.qosClass !== 'Guaranteed');
  if (wrong.length > 0) {
    return fail('not-guaranteed', `${wrong.map((p) => `${p.metadata.name} is ${p.status.qosClass ?? 'unknown'}`).join(', ')}. Look at status.qosClass and at each container's requests and limits.`);
  }
  if (current.length === 0 || !current.every(isReady)) return fail('rollout-in-progress', 'Waiting for the m9-api Pods to be ready.');
  const r = current[0]!.spec.containers[0]!.resources;
  return pass(`${current.length} m9-api Pod(s) are Guaranteed: requests equal limits (cpu ${r?.limits?.cpu}, memory ${r?.limits?.memory}).`);
}

export const limitRangeDefaults = { default: { cpu: '200m', memory: '128Mi' }, defaultRequest: { cpu: '100m', memory: '64Mi' } };

export function judgeLimitRange(lr: LimitRangeObject | null, d: Deployment | null, pods: Pod[]): CheckResult {
  if (!lr) return fail('no-limitrange', 'There is no LimitRange m9-defaults in the lab namespace, so containers that set no resources get none.');
  const item = lr.spec.limits.find((l) => l.type === 'Container');
  const matches = (have: Record<string, string> | undefined, want: Record<string, string>) => Object.entries(want).every(([k, v]) => sameQuantity(have?.[k], v));
  if (!item || !matches(item.default, limitRangeDefaults.default) || !matches(item.defaultRequest, limitRangeDefaults.defaultRequest)) {
    return fail('wrong-defaults', `m9-defaults does not give containers a default request of 100m CPU / 64Mi and a default limit of 200m CPU / 128Mi (type: Container, defaultRequest and default).`);
  }
  const rollout = rolloutState(d, 'm9-worker');
  if (rollout) return rollout;
  const templateResources = d!.spec.template.spec.containers[0]?.resources;
  if (templateResources?.requests || templateResources?.limits) {
    return fail('set-in-deployment', 'm9-worker sets resources in its own Pod template. This step is about namespace defaults: leave the template without resources.');
  }
  const current = live(pods);
  const stale = current.filter((p) => !p.metadata.annotations?.['kubernetes.io/limit-ranger']);
  if (stale.length > 0) {
    return fail('pods-not-restarted', `${stale.map((p) => p.metadata.name).join(', ')} were admitted before the LimitRange existed. A LimitRange applies when a Pod is created, never to running Pods.`);
  }
  return pass(`m9-worker's Pods were admitted with the LimitRange defaults (annotation kubernetes.io/limit-ranger: "${current[0]?.metadata.annotations?.['kubernetes.io/limit-ranger']}").`);
}

export function judgeQuota(quota: QuotaObject | null, d: Deployment | null): CheckResult {
  if (!quota) return fail('quota-missing', 'The ResourceQuota m9-quota is gone. The point is to fit within it: set the step up again with npm run lab -- start lab-2-resource-optimization --from quota-rejection');
  const changed = Object.entries(quotaHard).filter(([k, v]) => !sameQuantity(quota.spec.hard[k], v));
  if (changed.length > 0 || Object.keys(quota.spec.hard).length !== Object.keys(quotaHard).length) {
    return fail('quota-changed', `m9-quota was changed (${changed.map(([k]) => k).join(', ') || 'its list of resources'}). Leave the quota as it is and make the Pods fit.`);
  }
  if (!d) return fail('deployment-missing', 'There is no Deployment m9-batch.');
  if ((d.spec.replicas ?? 1) !== 3) return fail('replicas-changed', `m9-batch asks for ${d.spec.replicas} replicas; the job needs 3.`);
  const s = d.status ?? {};
  const done = s.readyReplicas === 3 && s.updatedReplicas === 3 && s.replicas === 3 && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
  if (!done) {
    const rollout = rolloutState(d, 'm9-batch');
    if (rollout?.status === 'fail' && rollout.code === 'replica-failure') return fail('quota-exceeded', rollout.reason);
    return rollout ?? fail('rollout-in-progress', 'Waiting for m9-batch to settle.');
  }
  return pass(`m9-batch runs 3 of 3 Pods within m9-quota (requests.memory used ${quota.status?.used?.['requests.memory']} of ${quota.spec.hard['requests.memory']}).`);
}

export function judgeHpa(h: HpaObject | null, d: Deployment | null): CheckResult {
  if (!h) return fail('no-hpa', 'There is no HorizontalPodAutoscaler m9-cpu-app in the lab namespace.');
  const metric = h.spec.metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  if (h.spec.scaleTargetRef.kind !== 'Deployment' || h.spec.scaleTargetRef.name !== 'm9-cpu-app') {
    return fail('wrong-target', `The HPA scales ${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}, not Deployment/m9-cpu-app.`);
  }
  if (metric?.resource?.target.type !== 'Utilization' || metric.resource.target.averageUtilization !== 50 || (h.spec.minReplicas ?? 1) !== 1 || h.spec.maxReplicas !== 4) {
    return fail('wrong-spec', 'The HPA must target 50% average CPU utilisation (type Resource, target type Utilization) with 1 to 4 replicas.');
  }
  const current = h.status?.currentMetrics?.find((m) => m.resource?.name === 'cpu')?.resource?.current.averageUtilization;
  if (current === undefined) return fail('no-metrics-yet', 'The HPA has no CPU metric yet; metrics-server reports every 15 s and the HPA checks every 15 s.');
  const replicas = d?.spec.replicas ?? 1;
  if ((h.status?.desiredReplicas ?? 1) <= 1 && replicas <= 1) return fail('not-scaled-yet', `CPU is at ${current}% of requests; waiting for the HPA to add replicas.`);
  return pass(`The HPA sees ${current}% CPU utilisation against a 50% target and scaled m9-cpu-app to ${Math.max(replicas, h.status?.desiredReplicas ?? 1)} replicas.`);
}

const transient = ['rollout-in-progress', 'no-metrics-yet', 'not-scaled-yet'];

function kubeOf(ctx: StepContext): KubeClient {
  if (!ctx.kube) throw new Error('a kind step ran without a Kubernetes context');
  return ctx.kube;
}

async function getDeployment(kube: KubeClient, name: string): Promise<Deployment | null> {
  return kube.getJson<Deployment>(['get', 'deployment', name, '-n', kube.namespace]);
}

async function getPods(kube: KubeClient, app: string): Promise<Pod[]> {
  return (await kube.getJson<List<Pod>>(['get', 'pods', '-n', kube.namespace, '-l', `app=${app}`]))?.items ?? [];
}

async function rolloutStatus(kube: KubeClient, name: string): Promise<void> {
  await kube.kubectl(['rollout', 'status', `deployment/${name}`, '-n', kube.namespace, '--timeout=180s'], { timeoutSeconds: 200 });
}

async function deleteIfPresent(kube: KubeClient, ...resources: string[]): Promise<void> {
  await kube.kubectl(['delete', ...resources, '-n', kube.namespace, '--ignore-not-found', '--wait=true', '--timeout=120s'], { timeoutSeconds: 150 });
}

const ns = (ctx: StepContext) => kubeOf(ctx).namespace;

export const kindSteps: Step[] = [
  {
    id: 'qos-guaranteed',
    title: 'QoS classes: make a Deployment Guaranteed',
    target: 'kind',
    goal:
      'The Pods of Deployment m9-api run in the Burstable QoS class. Make them Guaranteed: every ' +
      'container needs CPU and memory limits, and requests equal to those limits. Change the ' +
      'Deployment, not the Pods. See the class with: kubectl get pods -l app=m9-api ' +
      "-o custom-columns=NAME:.metadata.name,QOS:.status.qosClass",
    async setup(ctx) {
      const kube = kubeOf(ctx);
      await deleteIfPresent(kube, 'deployment/m9-api', 'pod/m9-api-bare');
      await kube.apply(deployment({ name: 'm9-api', replicas: 1, command: 'exec sleep 86400', resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '64Mi' } } }));
      await rolloutStatus(kube, 'm9-api');
    },
    check: (ctx) => pollWhileTransient(async () => judgeQos(await getDeployment(kubeOf(ctx), 'm9-api'), await getPods(kubeOf(ctx), 'm9-api')), transient, { timeoutMs: 120_000, intervalMs: 2000 }),
    expected: { failsWith: 'not-guaranteed' },
    hints: {
      'not-guaranteed': [
        'Guaranteed needs, for every container, a CPU limit and a memory limit, and requests equal to them. A container that sets only a limit gets a request equal to it.',
        'kubectl set resources deployment m9-api --requests=... --limits=... changes the Pod template; the Deployment then rolls out new Pods.',
      ],
      default: ['Compare each container\'s resources with the rules on the Kubernetes page "Pod Quality of Service Classes".'],
    },
    cheats: [
      {
        name: 'sets limits but leaves the smaller requests',
        apply: async (ctx) => {
          const kube = kubeOf(ctx);
          await kube.kubectl(['set', 'resources', 'deployment', 'm9-api', '-n', kube.namespace, '--limits=cpu=100m,memory=64Mi']);
          await rolloutStatus(kube, 'm9-api');
        },
      },
      {
        name: 'replaces the Deployment with a bare Guaranteed Pod',
        apply: async (ctx) => {
          const kube = kubeOf(ctx);
          await deleteIfPresent(kube, 'deployment/m9-api');
          await kube.apply(barePod('m9-api-bare', 'm9-api', { cpu: '100m', memory: '64Mi' }));
        },
      },
    ],
    async solve(ctx) {
      const kube = kubeOf(ctx);
      await deleteIfPresent(kube, 'pod/m9-api-bare');
      await kube.kubectl(['set', 'resources', 'deployment', 'm9-api', '-n', kube.namespace, '--requests=cpu=100m,memory=64Mi', '--limits=cpu=100m,memory=64Mi']);
      await rolloutStatus(kube, 'm9-api');
    },
  },
  {
    id: 'limitrange-defaults',
    title: 'LimitRange: defaults for containers that set nothing',
    target: 'kind',
    goal:
      'Deployment m9-worker sets no resources, so its Pods are BestEffort. Without changing the ' +
      'Deployment, make new containers in the lab namespace get a default request of 100m CPU and ' +
      '64Mi memory and a default limit of 200m CPU and 128Mi memory: create a LimitRange named ' +
      'm9-defaults. Then get m9-worker new Pods (kubectl rollout restart), because a LimitRange ' +
      'applies only when a Pod is created.',
    async setup(ctx) {
      const kube = kubeOf(ctx);
      await deleteIfPresent(kube, 'limitrange/m9-defaults', 'resourcequota/m9-quota', 'deployment/m9-worker');
      await kube.apply(deployment({ name: 'm9-worker', replicas: 1, command: 'exec sleep 86400' }));
      await rolloutStatus(kube, 'm9-worker');
    },
    check: (ctx) =>
      pollWhileTransient(async () => {
        const kube = kubeOf(ctx);
        const lr = await kube.getJson<LimitRangeObject>(['get', 'limitrange', 'm9-defaults', '-n', kube.namespace]);
        return judgeLimitRange(lr, await getDeployment(kube, 'm9-worker'), await getPods(kube, 'm9-worker'));
      }, transient, { timeoutMs: 120_000, intervalMs: 2000 }),
    expected: { failsWith: 'no-limitrange' },
    hints: {
      'no-limitrange': ['A LimitRange with an item of type Container sets defaults: defaultRequest for requests, default for limits.'],
      'pods-not-restarted': ['The LimitRange admission plugin acts when a Pod is created. kubectl rollout restart deployment/m9-worker creates new Pods.'],
      default: [`Read the Kubernetes page "Limit Ranges", then kubectl describe limitrange m9-defaults.`],
    },
    cheats: [
      {
        name: 'sets resources in the Deployment instead of a LimitRange',
        apply: async (ctx) => {
          const kube = kubeOf(ctx);
          await kube.kubectl(['set', 'resources', 'deployment', 'm9-worker', '-n', kube.namespace, '--requests=cpu=100m,memory=64Mi', '--limits=cpu=200m,memory=128Mi']);
          await rolloutStatus(kube, 'm9-worker');
        },
      },
      {
        name: 'creates the LimitRange but keeps the old Pods',
        apply: async (ctx) => kubeOf(ctx).apply(limitRange),
      },
    ],
    async solve(ctx) {
      const kube = kubeOf(ctx);
      await kube.apply(limitRange);
      await kube.kubectl(['rollout', 'restart', 'deployment/m9-worker', '-n', kube.namespace]);
      await rolloutStatus(kube, 'm9-worker');
    },
  },
  {
    id: 'quota-rejection',
    title: 'ResourceQuota: fit the Pods, not the quota',
    target: 'kind',
    goal:
      'Deployment m9-batch asks for 3 replicas but fewer run. Find out why from the ReplicaSet\'s ' +
      'events (kubectl describe replicaset -l app=m9-batch), then make all 3 run without changing ' +
      'the ResourceQuota m9-quota. Each batch Pod uses well under 50Mi of memory.',
    async setup(ctx) {
      const kube = kubeOf(ctx);
      await deleteIfPresent(kube, 'deployment/m9-api', 'deployment/m9-worker', 'deployment/m9-batch', 'pod/m9-api-bare', 'limitrange/m9-defaults', 'resourcequota/m9-quota');
      await kube.apply(resourceQuota);
      // Recreate, so that a fixed template replaces all Pods at once instead of deadlocking a
      // rolling update against the quota.
      await kube.apply(deployment({ name: 'm9-batch', replicas: 3, strategy: 'Recreate', command: 'exec sleep 86400', resources: { requests: { cpu: '10m', memory: '128Mi' }, limits: { memory: '128Mi' } } }));
      await waitForQuotaEvent(kube);
    },
    async symptom(ctx) {
      return (await quotaEvent(kubeOf(ctx))) ? pass('the ReplicaSet reports FailedCreate: exceeded quota') : fail('no-symptom', 'no FailedCreate event mentions the quota');
    },
    check: (ctx) =>
      pollWhileTransient(async () => {
        const kube = kubeOf(ctx);
        return judgeQuota(await kube.getJson<QuotaObject>(['get', 'resourcequota', 'm9-quota', '-n', kube.namespace]), await getDeployment(kube, 'm9-batch'));
      }, transient, { timeoutMs: 120_000, intervalMs: 2000 }),
    expected: { failsWith: 'quota-exceeded' },
    hints: {
      'quota-exceeded': [
        'The event says which resource ran out: requested, used and limited. With a quota on requests.memory, every Pod\'s memory request counts, whether it uses the memory or not.',
        'Three Pods must fit in 256Mi of requests. Lower each Pod\'s memory request and limit to what it needs (kubectl set resources deployment m9-batch ...).',
      ],
      'quota-changed': ['Put the quota back (npm run lab -- start lab-2-resource-optimization --from quota-rejection) and change the Pods instead.'],
      default: ['kubectl describe resourcequota m9-quota shows what is used and what is allowed.'],
    },
    cheats: [
      { name: 'raises the quota', apply: async (ctx) => void (await kubeOf(ctx).kubectl(['patch', 'resourcequota', 'm9-quota', '-n', ns(ctx), '--type', 'merge', '-p', '{"spec":{"hard":{"requests.memory":"1Gi"}}}'])) },
      { name: 'deletes the quota', apply: async (ctx) => deleteIfPresent(kubeOf(ctx), 'resourcequota/m9-quota') },
      { name: 'scales down to the Pods that fit', apply: async (ctx) => void (await kubeOf(ctx).kubectl(['scale', 'deployment/m9-batch', '-n', ns(ctx), '--replicas=2'])) },
    ],
    async solve(ctx) {
      const kube = kubeOf(ctx);
      await kube.kubectl(['set', 'resources', 'deployment', 'm9-batch', '-n', kube.namespace, '--requests=memory=64Mi', '--limits=memory=64Mi']);
      await rolloutStatus(kube, 'm9-batch');
    },
  },
  {
    id: 'hpa-scale-out',
    title: 'HorizontalPodAutoscaler: scale on CPU',
    target: 'kind',
    goal:
      'Deployment m9-cpu-app burns CPU far above its 100m request. Create a HorizontalPodAutoscaler ' +
      '(autoscaling/v2) named m9-cpu-app for it: 1 to 4 replicas, target average CPU utilisation ' +
      '50% of requests. Then watch it scale: kubectl get hpa m9-cpu-app --watch. The lab has ' +
      'installed metrics-server, which the HPA reads through the Metrics API.',
    async setup(ctx) {
      const kube = kubeOf(ctx);
      await deleteIfPresent(kube, 'deployment/m9-batch', 'resourcequota/m9-quota', 'limitrange/m9-defaults', 'hpa/m9-cpu-app', 'deployment/m9-cpu-app');
      await kube.kubectl(['apply', '-f', '-'], { input: metricsServerManifest() });
      await kube.kubectl(['rollout', 'status', 'deployment/metrics-server', '-n', 'kube-system', '--timeout=180s'], { timeoutSeconds: 200 });
      await kube.kubectl(['wait', '--for=condition=Available', 'apiservice/v1beta1.metrics.k8s.io', '--timeout=180s'], { timeoutSeconds: 200 });
      await kube.apply(deployment({ name: 'm9-cpu-app', replicas: 1, command: 'while :; do :; done', resources: { requests: { cpu: '100m', memory: '16Mi' }, limits: { cpu: '200m', memory: '32Mi' } } }));
      await rolloutStatus(kube, 'm9-cpu-app');
    },
    check: (ctx) =>
      pollWhileTransient(async () => {
        const kube = kubeOf(ctx);
        return judgeHpa(await kube.getJson<HpaObject>(['get', 'hpa', 'm9-cpu-app', '-n', kube.namespace]), await getDeployment(kube, 'm9-cpu-app'));
      }, transient, { timeoutMs: 240_000, intervalMs: 5000 }),
    expected: { failsWith: 'no-hpa' },
    hints: {
      'no-hpa': ['An autoscaling/v2 HorizontalPodAutoscaler needs scaleTargetRef, minReplicas, maxReplicas and a Resource metric for cpu with a target of type Utilization.'],
      'wrong-spec': ['averageUtilization is a percentage of the Pods\' CPU requests: 50 means half of 100m per Pod on average.'],
      default: ['kubectl describe hpa m9-cpu-app shows the metric it reads, its events and the reason for its current replica count.'],
    },
    cheats: [
      { name: 'scales the Deployment by hand', apply: async (ctx) => void (await kubeOf(ctx).kubectl(['scale', 'deployment/m9-cpu-app', '-n', ns(ctx), '--replicas=4'])) },
      { name: 'creates an HPA with a 500% target', apply: async (ctx) => kubeOf(ctx).apply(hpa(500)) },
    ],
    async solve(ctx) {
      const kube = kubeOf(ctx);
      await kube.apply(hpa(50));
    },
  },
];

async function quotaEvent(kube: KubeClient): Promise<boolean> {
  const events = await kube.getJson<List<{ reason: string; message: string }>>(['get', 'events', '-n', kube.namespace, '--field-selector', 'reason=FailedCreate']);
  return events?.items.some((e) => /exceeded quota: m9-quota/.test(e.message)) ?? false;
}

async function waitForQuotaEvent(kube: KubeClient): Promise<void> {
  await waitUntil(() => quotaEvent(kube), 'the quota to reject an m9-batch Pod', { timeoutMs: 90_000, intervalMs: 2000 });
}
