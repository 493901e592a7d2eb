// Scenario 3, Kubernetes part (kind): the same shop as three Deployments behind three Services.
// The checkout answers 502; every Pod is Running and Ready. The learner follows the request
// (logs, Services, EndpointSlices, the Pods' ports), names the Service that delivers its traffic
// nowhere useful, and fixes it. The check sends the customer's request through the storefront
// Service from inside the cluster, five times over a window, and rejects hard-coded Pod
// addresses, a scaled-down or deleted service and host networking.
import type { KubeClient } from '../lib/kube.ts';
import { defineDiagnosis } from '../lib/diagnose.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { EnvironmentError, fail, pass, pollWhileTransient, type CheckResult } from '../lib/result.ts';
import { waitUntil } from '../lib/wait.ts';
import { shopManifest } from './manifests.ts';
import { buildShopImages, checkoutPath, isReadyCheckout, labId, services, upstreamHost, type Service } from './shop.ts';

interface ContainerPort {
  name?: string;
  containerPort: number;
}

interface Container {
  name: string;
  ports?: ContainerPort[];
  env?: { name: string; value?: string }[];
}

export interface Pod {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec: { containers: Container[]; hostNetwork?: boolean };
  status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

export interface Deployment {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number; template: { spec: { containers: Container[]; hostNetwork?: boolean } } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number };
}

export interface ServiceObject {
  metadata: { name: string };
  spec: { selector?: Record<string, string>; clusterIP?: string; ports: { name?: string; port: number; targetPort?: number | string; protocol?: string }[] };
}

export interface EndpointSlice {
  metadata: { name: string; labels?: Record<string, string> };
  ports: { name?: string; port?: number; protocol?: string }[] | null;
  endpoints: { addresses: string[]; conditions?: { ready?: boolean } }[] | null;
}

interface List<T> {
  items: T[];
}

const live = (pods: Pod[]) => pods.filter((p) => !p.metadata.deletionTimestamp);
const selects = (selector: Record<string, string> | undefined, pod: Pod) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => pod.metadata.labels?.[k] === v);

/** Does some container of the Pod serve `targetPort` (a number, or the name of a port)? */
function podServes(pod: Pod, targetPort: number | string): boolean {
  return pod.spec.containers.some((c) => (c.ports ?? []).some((p) => (typeof targetPort === 'number' ? p.containerPort === targetPort : p.name === targetPort)));
}

/**
 * The Services whose traffic reaches no serving port: the selector matches no Pod, or a
 * port's targetPort (the port itself when unset) is neither a containerPort nor a port name of
 * the Pods it selects.
 */
export function servicesMissingPods(svcs: ServiceObject[], pods: Pod[]): { name: string; why: string }[] {
  const broken: { name: string; why: string }[] = [];
  for (const svc of svcs) {
    if (!svc.spec.selector) continue;
    const selected = live(pods).filter((p) => selects(svc.spec.selector, p));
    if (selected.length === 0) {
      broken.push({ name: svc.metadata.name, why: 'its selector matches no Pod' });
      continue;
    }
    for (const port of svc.spec.ports) {
      const target = port.targetPort ?? port.port;
      if (!selected.some((p) => podServes(p, target))) broken.push({ name: svc.metadata.name, why: `no selected Pod serves port ${target}` });
    }
  }
  return broken;
}

export function diagnoseTruth(svcs: ServiceObject[], pods: Pod[]): string[] {
  return [...new Set(servicesMissingPods(svcs, pods).map((b) => b.name))].flatMap((name) => [name, `${name} service`, `service/${name}`, `svc/${name}`]);
}

const envOf = (d: Deployment, key: string) => d.spec.template.spec.containers.flatMap((c) => c.env ?? []).find((e) => e.name === key)?.value;
const upstreamVars: { caller: Service; variable: string }[] = [
  { caller: 'storefront', variable: 'ORDERS_URL' },
  { caller: 'orders', variable: 'INVENTORY_URL' },
];

/** Everything the check reads from the API before it sends a request; null when it may send. */
export function judgeShop(deployments: Partial<Record<Service, Deployment | null>>, svcs: ServiceObject[], pods: Pod[]): CheckResult | null {
  for (const name of services) {
    const d = deployments[name];
    if (!d) return fail('deployment-missing', `There is no Deployment ${name}. The shop needs all three services; to start over: npm run lab -- start ${labId} --from restore-checkout-kind`);
    if ((d.spec.replicas ?? 1) < 1) return fail('scaled-to-zero', `Deployment ${name} is scaled to ${d.spec.replicas} replicas. A service with no Pods answers nothing; scale it back and fix the cause instead.`);
    if (d.spec.template.spec.hostNetwork) return fail('host-network', `Deployment ${name} runs its Pods on the node's network (hostNetwork: true). Keep the shop on the Pod network behind its Services.`);
    if (!svcs.some((s) => s.metadata.name === name)) return fail('service-missing', `There is no Service ${name}. The others find ${name} by that name; recreate it and fix what it sends traffic to.`);
  }
  for (const { caller, variable } of upstreamVars) {
    const url = envOf(deployments[caller]!, variable);
    const host = upstreamHost(url);
    if (!host) return fail('no-upstream', `Deployment ${caller} has no usable ${variable}. It needs the URL of the service it calls.`);
    if (host.isAddress) return fail('hard-coded-address', `Deployment ${caller} calls its upstream at ${url}, an address. Pod and Service addresses change; services must find each other by their Service's name.`);
  }
  for (const name of services) {
    const d = deployments[name]!;
    const s = d.status ?? {};
    const want = d.spec.replicas ?? 1;
    if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 0) || s.updatedReplicas !== want || s.readyReplicas !== want || (s.replicas ?? 0) > want) {
      return fail('rollout-in-progress', `Deployment ${name} is rolling out: ${s.readyReplicas ?? 0} of ${want} Pods ready.`);
    }
  }
  if (live(pods).some((p) => p.spec.hostNetwork)) return fail('host-network', 'A shop Pod runs on the node\'s network (hostNetwork: true). Keep the shop on the Pod network behind its Services.');
  return null;
}

/** The script run in the storefront Pod: the customer's request through the storefront Service, `times` times. */
export function windowScript(times: number, gapMs: number): string {
  return [
    `const out = [];`,
    `for (let i = 0; i < ${times}; i++) {`,
    `  try { const r = await fetch('http://storefront${checkoutPath}', { signal: AbortSignal.timeout(8000) }); out.push({ status: r.status, body: await r.text() }); }`,
    `  catch (e) { out.push({ status: 0, body: String(e.cause?.message ?? e.message) }); }`,
    `  if (i < ${times - 1}) await new Promise((r) => setTimeout(r, ${gapMs}));`,
    `}`,
    `console.log(JSON.stringify(out));`,
  ].join('\n');
}

export function judgeAnswers(answers: { status: number; body: string }[]): CheckResult {
  for (const [i, a] of answers.entries()) {
    if (!isReadyCheckout(a.status, a.body)) {
      return fail(
        'checkout-failing',
        `GET http://storefront${checkoutPath} answered ${a.status || 'nothing'}: ${a.body.trim().slice(0, 300)} (request ${i + 1} of ${answers.length}). ` +
          `Follow the request: kubectl logs deploy/storefront, then the service it calls, then that Service's EndpointSlices.`,
      );
    }
  }
  return pass(`the storefront Service answered ${answers.length} checkouts in a row with a ready quote`);
}

function kubeOf(ctx: StepContext): KubeClient {
  if (!ctx.kube) throw new Error('a kind step ran without a Kubernetes context');
  return ctx.kube;
}

async function readShop(kube: KubeClient) {
  const deployments: Partial<Record<Service, Deployment | null>> = {};
  for (const name of services) deployments[name] = await kube.getJson<Deployment>(['get', 'deployment', name, '-n', kube.namespace]);
  const svcs = (await kube.getJson<List<ServiceObject>>(['get', 'services', '-n', kube.namespace]))?.items ?? [];
  const pods = (await kube.getJson<List<Pod>>(['get', 'pods', '-n', kube.namespace]))?.items ?? [];
  return { deployments, svcs, pods };
}

async function requestWindow(kube: KubeClient, times: number, gapMs: number): Promise<{ status: number; body: string }[] | CheckResult> {
  const r = await kube.tryKubectl(['exec', '-n', kube.namespace, 'deploy/storefront', '--', 'node', '--input-type=module', '-e', windowScript(times, gapMs)], { quiet: true, timeoutSeconds: 90 });
  if (r.exitCode !== 0) return fail('rollout-in-progress', `Could not run the request in the storefront Pod yet: ${r.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { status: number; body: string }[];
}

export async function checkKindCheckout(ctx: StepContext): Promise<CheckResult> {
  const kube = kubeOf(ctx);
  return pollWhileTransient(async () => {
    const { deployments, svcs, pods } = await readShop(kube);
    const problem = judgeShop(deployments, svcs, pods);
    if (problem) return problem;
    const answers = await requestWindow(kube, 5, 1000);
    return Array.isArray(answers) ? judgeAnswers(answers) : answers;
  }, ['rollout-in-progress'], { timeoutMs: 180_000, intervalMs: 2000 });
}

/** What the page shows: 502 from the checkout, and an EndpointSlice for inventory with a ready address. */
export function judgeSymptom(answers: { status: number; body: string }[], slices: EndpointSlice[]): CheckResult {
  const first = answers[0];
  const ready = slices.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses));
  const ports = slices.flatMap((s) => (s.ports ?? []).map((p) => p.port));
  if (first?.status === 502 && /orders answered 503/.test(first.body) && ready.length > 0) {
    return pass(`the checkout answers 502 (${first.body.trim()}), while the inventory EndpointSlice lists ready address ${ready.join(', ')} on port ${ports.join(', ')}`);
  }
  return fail('no-symptom', `expected a 502 from the checkout and a ready inventory endpoint; got ${first?.status} ${first?.body.trim()} and ${ready.length} ready endpoint(s)`);
}

async function kindSymptom(ctx: StepContext): Promise<CheckResult> {
  const kube = kubeOf(ctx);
  const answers = await requestWindow(kube, 1, 0);
  if (!Array.isArray(answers)) return fail('no-symptom', answers.status === 'fail' ? answers.reason : 'no answer');
  const slices = (await kube.getJson<List<EndpointSlice>>(['get', 'endpointslices', '-n', kube.namespace, '-l', 'kubernetes.io/service-name=inventory']))?.items ?? [];
  return judgeSymptom(answers, slices);
}

/** Image IDs this process has loaded into a cluster already: setup runs many times in `lab test`. */
const loaded = new Set<string>();

/** Side-loads the shop's images into the kind cluster behind the context (kind-<name>). */
async function loadImages(ctx: StepContext, refs: string[]): Promise<void> {
  const cluster = /^kind-(.+)$/.exec(kubeOf(ctx).context)?.[1];
  if (!cluster) {
    throw new EnvironmentError(
      `The shop's images are built locally and must be loaded into the cluster, which this lab does only for kind clusters (context ${kubeOf(ctx).context}).`,
      `Use the lab cluster (npm run lab -- cluster up), or push ${refs.join(', ')} to a registry your cluster pulls from.`,
    );
  }
  for (const ref of refs) {
    const id = (await ctx.shell.run('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { quiet: true })).stdout.trim();
    if (loaded.has(`${cluster} ${id}`)) continue;
    await ctx.shell.run('kind', ['load', 'docker-image', ref, '--name', cluster], { timeoutSeconds: 300 });
    loaded.add(`${cluster} ${id}`);
  }
}

async function rollout(kube: KubeClient, name: string): Promise<void> {
  await kube.kubectl(['rollout', 'status', `deployment/${name}`, '-n', kube.namespace, '--timeout=180s'], { timeoutSeconds: 200 });
}

export async function setupKindShop(ctx: StepContext): Promise<void> {
  const kube = kubeOf(ctx);
  const refs = await buildShopImages(ctx);
  await loadImages(ctx, Object.values(refs));
  await kube.kubectl(['delete', 'deployment,service', '-n', kube.namespace, '-l', 'app in (storefront,orders,inventory)', '--ignore-not-found', '--wait=true', '--timeout=120s'], { timeoutSeconds: 150 });
  await kube.apply(shopManifest());
  for (const name of services) await rollout(kube, name);
  await waitUntil(async () => (await kindSymptom(ctx)).status === 'pass', 'the checkout to answer 502', { timeoutMs: 90_000, intervalMs: 2000 });
}

const cause = ['targetport', 'port', '8081', 'endpoint'];
const shown = ['storefront', 'orders', 'inventory', 'web', 'http', labId];

export const kindSteps: Step[] = [
  defineDiagnosis({
    id: 'which-service-kind',
    title: 'Checkout answers 502 on Kubernetes: which Service?',
    target: 'kind',
    question: 'Every Pod is Running and Ready, yet the checkout answers 502. Which Service delivers its traffic to no Pod that serves it? Answer with the Service\'s name.',
    setup: setupKindShop,
    symptom: kindSymptom,
    async truth(ctx) {
      const { svcs, pods } = await readShop(kubeOf(ctx));
      return diagnoseTruth(svcs, pods);
    },
    wrongAnswers: ['orders', 'storefront'],
    hints: {
      'wrong-answer': [
        'The Pod that logs the error is the caller, not necessarily the broken hop. kubectl logs deploy/orders says which address it could not connect to.',
        'Compare what each Service sends traffic to (kubectl get endpointslices -l kubernetes.io/service-name=<name>) with the ports the Pods declare (kubectl get pods -l app=<name> -o jsonpath=\'{..ports}\').',
      ],
      default: ['Start at the customer\'s end: the checkout, then kubectl logs deploy/storefront.'],
    },
    conceal: { causeWords: cause, names: shown },
  }),
  {
    id: 'restore-checkout-kind',
    title: 'Make the checkout answer again on Kubernetes',
    target: 'kind',
    goal:
      `Make GET http://storefront${checkoutPath} answer with a ready quote again, for every request. Fix the cause; ` +
      'keep every Deployment running with its Service, services calling each other by Service name, and no hostNetwork.',
    setup: setupKindShop,
    symptom: kindSymptom,
    check: checkKindCheckout,
    expected: { failsWith: 'checkout-failing' },
    hints: {
      'checkout-failing': [
        'kubectl get endpointslices -l kubernetes.io/service-name=inventory shows the address and port the inventory Service sends traffic to. Is anything listening there?',
        'A Service\'s targetPort is the port on the Pod; it can be a number or the name of a containerPort. kubectl edit service inventory, or kubectl patch.',
      ],
      'hard-coded-address': ['A Pod\'s IP changes every time the Pod is replaced. Keep the URL on the Service name and make the Service deliver.'],
      'scaled-to-zero': ['With no Pods there is nothing to answer. Scale it back: kubectl scale deployment <name> --replicas=1.'],
      'service-missing': ['Recreate the Service (npm run lab -- start scenario-3-checkout-errors --from restore-checkout-kind sets everything up again).'],
      default: ['kubectl get svc,endpointslices,pods -o wide shows the whole path at once.'],
    },
    cheats: [
      {
        name: "points orders at the inventory Pod's IP",
        async apply(ctx) {
          const kube = kubeOf(ctx);
          const pods = (await kube.getJson<List<Pod>>(['get', 'pods', '-n', kube.namespace, '-l', 'app=inventory']))?.items ?? [];
          const ip = live(pods)[0]?.status.podIP;
          if (!ip) throw new Error('no inventory Pod IP to hard-code');
          await kube.kubectl(['set', 'env', 'deployment/orders', '-n', kube.namespace, `INVENTORY_URL=http://${ip}:8080`]);
          await rollout(kube, 'orders');
        },
      },
      {
        name: 'scales inventory to zero',
        apply: async (ctx) => void (await kubeOf(ctx).kubectl(['scale', 'deployment/inventory', '-n', kubeOf(ctx).namespace, '--replicas=0'])),
      },
      {
        name: 'deletes the inventory Service',
        apply: async (ctx) => void (await kubeOf(ctx).kubectl(['delete', 'service/inventory', '-n', kubeOf(ctx).namespace, '--wait=true'])),
      },
    ],
    async solve(ctx) {
      const kube = kubeOf(ctx);
      await kube.kubectl(['patch', 'service/inventory', '-n', kube.namespace, '-p', '{"spec":{"ports":[{"port":80,"targetPort":"http"}]}}']);
    },
    conceal: { causeWords: cause, names: shown, files: ['services/http.ts', 'services/storefront.ts', 'services/orders.ts', 'services/inventory.ts', 'shop.ts'] },
  },
];
