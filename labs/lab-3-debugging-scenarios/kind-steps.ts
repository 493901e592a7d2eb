// Lab 3, Kubernetes part (kind): six scenarios, each a diagnose step and a fix step. The judge
// functions are pure functions of `kubectl get -o json` output (unit-tested on fixtures in
// kind-steps.test.ts); the steps wrap them in bounded polls and, where a fault shows over time
// (restarts, kills, failing probes), in a watch window: the state before and after it.
import type { KubeClient } from '../lib/kube.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { fail, pass, pollWhileTransient, type CheckResult } from '../lib/result.ts';
import { sleep, waitUntil } from '../lib/wait.ts';
import { parseQuantity } from '../lab-2-resource-optimization/quantity.ts';
import {
  bodies, catalog, catalogService, checkout, httpGet, inventory, inventoryService, invoices, invoicesNeed, kinds, labId,
  manifestAnnotation, reorder, reports, reportsClaim, reportsClaimClass, storefront, thumbnails, type Manifest,
} from './kind-manifests.ts';
import { scenario, spellings } from './scenario.ts';

// --- the shapes of kubectl JSON the checks read ---------------------------------------------------

export interface Terminated { exitCode: number; reason?: string; startedAt?: string; finishedAt?: string }
export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount: number;
  state?: { running?: { startedAt?: string }; waiting?: { reason?: string; message?: string }; terminated?: Terminated };
  lastState?: { terminated?: Terminated };
}
export interface ContainerSpec {
  name: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path?: string; port: number | string }; failureThreshold?: number };
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface PodSpec {
  containers: ContainerSpec[];
  dnsPolicy?: string;
  hostAliases?: { ip: string; hostnames: string[] }[];
  volumes?: ({ name: string } & Record<string, unknown>)[];
}
export interface Condition { type: string; status: string; reason?: string; message?: string }
export interface Pod {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string; creationTimestamp?: string };
  spec: PodSpec;
  status: { phase?: string; startTime?: string; conditions?: Condition[]; containerStatuses?: ContainerStatus[] };
}
export interface Deployment {
  metadata: { name: string; generation?: number; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec: { replicas?: number; template: { metadata: { labels?: Record<string, string> }; spec: PodSpec } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number };
}
export interface KubeEvent {
  metadata: { name: string };
  involvedObject: { kind: string; name: string };
  reason: string;
  message: string;
  count?: number;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count: number; lastObservedTime: string } | null;
}
export interface ServiceObject { metadata: { name: string; annotations?: Record<string, string> }; spec: { selector?: Record<string, string>; clusterIP?: string } }
export interface EndpointSlice { endpoints?: { addresses: string[]; conditions?: { ready?: boolean | null }; targetRef?: { kind: string; name: string } }[] | null }
export interface Claim {
  metadata: { name: string; annotations?: Record<string, string>; deletionTimestamp?: string };
  spec: { storageClassName?: string; volumeName?: string };
  status?: { phase?: string };
}
export interface StorageClass { metadata: { name: string }; provisioner: string; volumeBindingMode?: string }
export interface List<T> { items: T[] }

const start = (step: string) => `npm run lab -- start ${labId} --from ${step}`;

/** Pods that count: not being deleted, not finished. */
export const current = (pods: Pod[]) => pods.filter((p) => !p.metadata.deletionTimestamp && p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed');
const condition = (p: Pod, type: string) => p.status.conditions?.find((c) => c.type === type);
const isReady = (p: Pod) => condition(p, 'Ready')?.status === 'True';
const ageSeconds = (p: Pod, now: number) => (now - Date.parse(p.status.startTime ?? p.metadata.creationTimestamp ?? new Date(now).toISOString())) / 1000;
const lastExit = (cs: ContainerStatus) => cs.state?.terminated ?? cs.lastState?.terminated;
const exitText = (t: Terminated | undefined) => (t ? `exit code ${t.exitCode}, reason ${t.reason ?? 'unknown'}` : 'no exit recorded');

/** The Deployment is gone or scaled to zero: the cheats that make a symptom disappear. */
export function deploymentGone(d: Deployment | null, name: string, step: string): CheckResult | null {
  if (!d) return fail('deployment-missing', `There is no Deployment ${name}. Removing the workload removes the symptom, not the cause. Start the scenario again: ${start(step)}`);
  if ((d.spec.replicas ?? 1) === 0) return fail('scaled-down', `${name} is scaled to 0 replicas: nothing runs, so nothing fails and nothing is served. Scale it back (kubectl scale) and fix the cause.`);
  return null;
}

/** Transient while the Deployment has not finished rolling out its current template. */
export function rolloutPending(d: Deployment, name: string): CheckResult | null {
  const want = d.spec.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 0) || (s.updatedReplicas ?? 0) < want || (s.replicas ?? 0) > want) {
    return fail('rollout-in-progress', `${name} is still rolling out: ${s.updatedReplicas ?? 0} of ${want} Pods are up to date, ${s.replicas ?? 0} exist.`);
  }
  return null;
}

/** Not-ready Pods: transient while young and never restarted, otherwise a failure. */
function notReady(pods: Pod[], name: string, now: number): CheckResult | null {
  const waiting = pods.find((p) => !isReady(p));
  if (!waiting) return pods.length === 0 ? fail('rollout-in-progress', `${name} has no Pod yet.`) : null;
  const restarts = (waiting.status.containerStatuses ?? []).reduce((n, cs) => n + cs.restartCount, 0);
  if (restarts === 0 && ageSeconds(waiting, now) < 60) return fail('starting', `${waiting.metadata.name} started ${Math.round(ageSeconds(waiting, now))} s ago and is not ready yet.`);
  const scheduled = condition(waiting, 'PodScheduled');
  const why = scheduled?.status === 'False' ? `not scheduled: ${scheduled.message ?? scheduled.reason}` : `phase ${waiting.status.phase}, ${restarts} restarts`;
  return fail('not-ready', `${waiting.metadata.name} is not ready (${why}). kubectl describe pod ${waiting.metadata.name} shows its conditions and events.`);
}

/** Restarts during the watch window, per container, for Pods present at both ends. */
function restartedDuring(before: Pod[], after: Pod[]): { pod: string; container: ContainerStatus; from: number } | null {
  for (const pod of current(after)) {
    const earlier = before.find((p) => p.metadata.name === pod.metadata.name);
    if (!earlier) continue;
    for (const cs of pod.status.containerStatuses ?? []) {
      const from = earlier.status.containerStatuses?.find((c) => c.name === cs.name)?.restartCount ?? cs.restartCount;
      if (cs.restartCount > from) return { pod: pod.metadata.name, container: cs, from };
    }
  }
  return null;
}

const samePods = (before: Pod[], after: Pod[]) =>
  current(before).map((p) => p.metadata.name).sort().join() === current(after).map((p) => p.metadata.name).sort().join();

/** Events that are new, or were seen again (count or time changed), between two listings. */
export function newEvents(before: KubeEvent[], after: KubeEvent[]): KubeEvent[] {
  const seen = new Map(before.map((e) => [e.metadata.name, signature(e)]));
  return after.filter((e) => seen.get(e.metadata.name) !== signature(e));
}
const signature = (e: KubeEvent) => `${e.count ?? ''}|${e.lastTimestamp ?? ''}|${e.eventTime ?? ''}|${e.series?.count ?? ''}|${e.series?.lastObservedTime ?? ''}`;
export const livenessFailures = (events: KubeEvent[], pods: string[]) =>
  events.filter((e) => e.involvedObject.kind === 'Pod' && pods.includes(e.involvedObject.name) && e.reason === 'Unhealthy' && /^Liveness probe failed/.test(e.message));

// --- 1. checkout: restarts with a log that points elsewhere ----------------------------------------

export interface Watch { d: Deployment | null; pods: Pod[]; events: KubeEvent[] }

export function judgeCheckout(before: Watch, after: Watch, now = Date.now()): CheckResult {
  const { d } = after;
  const gone = deploymentGone(d, kinds.checkout, 'checkout-keeps-restarting');
  if (gone) return gone;
  const container = d!.spec.template.spec.containers.find((c) => c.name === 'checkout');
  if (!container?.livenessProbe) {
    return fail('no-liveness-probe', 'The checkout container has no liveness probe any more: a checkout that hangs would then never be restarted. Keep the probe, and make it check the service.');
  }
  const pods = current(after.pods);
  const restarted = restartedDuring(before.pods, after.pods);
  if (restarted) {
    return fail('restarting', `${restarted.pod} restarted while being watched (RestartCount ${restarted.from} -> ${restarted.container.restartCount}; last exit: ${exitText(lastExit(restarted.container))}). The log shows what the service said, not who stopped it: read the Pod's events (kubectl describe pod ${restarted.pod}).`);
  }
  const looping = pods.flatMap((p) => (p.status.containerStatuses ?? []).filter((cs) => !cs.ready && cs.restartCount > 0).map((cs) => ({ pod: p.metadata.name, cs })))[0];
  if (looping) {
    return fail('restarting', `${looping.pod} is not ready and has restarted ${looping.cs.restartCount} times (last exit: ${exitText(lastExit(looping.cs))}${looping.cs.state?.waiting?.reason ? `, now ${looping.cs.state.waiting.reason}` : ''}). Read the Pod's events (kubectl describe pod ${looping.pod}), not only its log.`);
  }
  const rollout = rolloutPending(d!, kinds.checkout) ?? notReady(pods, kinds.checkout, now);
  if (rollout) return rollout;
  if (!samePods(before.pods, after.pods)) return fail('rollout-in-progress', `${kinds.checkout} replaced its Pods while being watched.`);
  const failing = livenessFailures(newEvents(before.events, after.events), pods.map((p) => p.metadata.name));
  if (failing.length > 0) {
    return fail('liveness-failing', `The liveness probe of ${failing[0]!.involvedObject.name} still fails ("${failing[0]!.message}"). It has not restarted the container yet only because of its settings; it checks nothing useful.`);
  }
  const counts = pods.map((p) => `${p.metadata.name} RestartCount ${p.status.containerStatuses?.[0]?.restartCount ?? 0}`).join(', ');
  return pass(`${kinds.checkout} stayed ready while watched (${counts}, unchanged), and its liveness probe did not fail.`);
}

export function checkoutTruth(pods: Pod[], events: KubeEvent[]): string[] {
  const names = current(pods).map((p) => p.metadata.name);
  const killed = pods.some((p) => p.status.containerStatuses?.some((cs) => lastExit(cs)?.reason === 'OOMKilled'));
  const failures = livenessFailures(events, names);
  if (killed || failures.length === 0) return [];
  const port = /:(\d+)\/healthz/.exec(failures[0]!.message)?.[1];
  return spellings('liveness probe', 'livenessProbe', 'liveness', 'failing liveness probe', 'liveness probe failure', ...(port ? [`liveness probe port ${port}`, `liveness probe on port ${port}`, `port ${port}`, `livenessProbe port ${port}`] : []));
}

// --- 2. thumbnails: a container that keeps being killed ------------------------------------------

export interface ThumbnailsWatch { d: Deployment | null; pods: Pod[]; lastBatch: string }

export function judgeThumbnails(before: ThumbnailsWatch, after: ThumbnailsWatch, now = Date.now()): CheckResult {
  const { d } = after;
  const gone = deploymentGone(d, kinds.thumbnails, 'thumbnails-keep-restarting');
  if (gone) return gone;
  const resizer = d!.spec.template.spec.containers.find((c) => c.name === 'resizer');
  if (!resizer?.resources?.limits?.memory) {
    return fail('no-memory-limit', 'The resizer container has no memory limit any more: one oversized batch could then take memory from every Pod on the node. Keep a limit that fits what a batch needs.');
  }
  const pods = current(after.pods);
  for (const pod of pods) {
    for (const cs of pod.status.containerStatuses ?? []) {
      const exit = lastExit(cs);
      if (exit?.reason === 'OOMKilled') {
        return fail('oom-killed', `Container ${cs.name} of ${pod.metadata.name} was killed (${exitText(exit)}) and has restarted ${cs.restartCount} times. Compare what a batch allocates with the container's memory limit.`);
      }
    }
  }
  const restarted = restartedDuring(before.pods, after.pods);
  if (restarted) return fail('restarting', `${restarted.pod}: container ${restarted.container.name} restarted while being watched (last exit: ${exitText(lastExit(restarted.container))}).`);
  const rollout = rolloutPending(d!, kinds.thumbnails) ?? notReady(pods, kinds.thumbnails, now);
  if (rollout) return rollout;
  if (!samePods(before.pods, after.pods)) return fail('rollout-in-progress', `${kinds.thumbnails} replaced its Pods while being watched.`);
  if (/failed/.test(after.lastBatch)) return fail('batches-failing', `The resizer runs but its batches fail: its log says "${after.lastBatch}".`);
  if (!/done/.test(after.lastBatch)) {
    const young = pods.some((p) => ageSeconds(p, now) < 30);
    return fail(young ? 'starting' : 'batches-failing', `The resizer has not finished a batch yet (last log line: "${after.lastBatch || 'none'}").`);
  }
  return pass(`${kinds.thumbnails} ran without a restart or a kill while watched, within a memory limit of ${resizer.resources.limits.memory}; the resizer says "${after.lastBatch}".`);
}

export function thumbnailsTruth(pods: Pod[]): string[] {
  const killed = current(pods).flatMap((p) => (p.status.containerStatuses ?? []).filter((cs) => lastExit(cs)?.reason === 'OOMKilled').map((cs) => cs.name));
  const unique = [...new Set(killed)];
  if (unique.length !== 1) return [];
  const name = unique[0]!;
  return spellings(name, `${name} container`, `container ${name}`);
}

// --- 3. invoices: a Pod that is never scheduled --------------------------------------------------

export function judgeInvoices(d: Deployment | null, podList: Pod[], now = Date.now()): CheckResult {
  const gone = deploymentGone(d, kinds.invoices, 'invoices-never-start');
  if (gone) return gone;
  const container = d!.spec.template.spec.containers.find((c) => c.name === 'invoices');
  const request = parseQuantity(container?.resources?.requests?.memory);
  if (request === undefined) {
    return fail('no-memory-request', 'The invoices container has no memory request any more: the scheduler then reserves nothing for it, and it can land on a node without the memory it needs. Keep a request of what it needs.');
  }
  if (request < parseQuantity(invoicesNeed)!) {
    return fail('request-too-small', `The invoices container requests ${container!.resources!.requests!.memory} of memory, less than the ${invoicesNeed} it needs: it would be placed on nodes that cannot hold it. Request what it needs.`);
  }
  const pods = current(podList);
  const pending = pods.find((p) => condition(p, 'PodScheduled')?.status === 'False');
  const rollout = rolloutPending(d!, kinds.invoices);
  if (pending && !rollout) {
    const scheduled = condition(pending, 'PodScheduled')!;
    return fail('unschedulable', `${pending.metadata.name} is Pending and not scheduled: ${scheduled.reason}: ${scheduled.message ?? ''}`.trim());
  }
  const waiting = rollout ?? notReady(pods, kinds.invoices, now);
  if (waiting) return waiting;
  return pass(`${pods.map((p) => p.metadata.name).join(', ')} is scheduled and ready, with a memory request of ${container!.resources!.requests!.memory}.`);
}

/** The resources named in "Insufficient <resource>", or node-selection reasons, from the scheduler's message. */
export function invoicesTruth(pods: Pod[]): string[] {
  const message = current(pods).map((p) => condition(p, 'PodScheduled')).find((c) => c?.status === 'False')?.message ?? '';
  const resources = [...message.matchAll(/Insufficient ([\w./-]+)/g)].map((m) => m[1]!.replace(/\.$/, ''));
  const answers = resources.flatMap((r) => spellings(r, `${r} request`, `${r} requests`, `requests.${r}`, `resources.requests.${r}`, `${r} resource request`));
  if (/node affinity\/selector/.test(message)) answers.push(...spellings('nodeSelector', 'node selector', 'node affinity'));
  if (/untolerated taint/.test(message)) answers.push(...spellings('taint', 'toleration', 'missing toleration'));
  return answers;
}

// --- 4. catalog: a Service that reaches no Pod ---------------------------------------------------

export function judgeCatalog(d: Deployment | null, svc: ServiceObject | null, slices: EndpointSlice[], response: string): CheckResult {
  if (!svc) return fail('service-missing', `There is no Service ${kinds.catalog}: the storefront calls the catalog by that name. Start the scenario again: ${start('catalog-unreachable')}`);
  const gone = deploymentGone(d, kinds.catalog, 'catalog-unreachable');
  if (gone) return gone;
  const selector = svc.spec.selector ?? {};
  if (Object.keys(selector).length === 0) {
    return fail('no-selector', `Service ${kinds.catalog} has no selector: Kubernetes then manages no endpoints for it. Keep a selector that picks the catalog's Pods.`);
  }
  const templateLabels = d!.spec.template.metadata.labels ?? {};
  const endpoints = slices.flatMap((s) => s.endpoints ?? []);
  const ready = endpoints.filter((e) => e.conditions?.ready !== false);
  const shown = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  if (!Object.entries(selector).every(([k, v]) => templateLabels[k] === v)) {
    if (ready.length > 0) {
      return fail(
        'pods-not-from-deployment',
        `${kinds.catalog} now reaches ${ready.map((e) => e.targetRef?.name ?? e.addresses[0]).join(', ')}, but not the Pods that Deployment ${kinds.catalog} creates: their labels (${shown(templateLabels)}) do not match the Service's selector (${shown(selector)}). The next rollout would leave it with nothing again.`,
      );
    }
    return fail('no-endpoints', `Service ${kinds.catalog} has no endpoints: its EndpointSlices list no Pod (kubectl get endpointslices -l kubernetes.io/service-name=${kinds.catalog}). Compare what the Service selects with the Pods that run (kubectl describe service, kubectl get pods --show-labels).`);
  }
  const want = d!.status?.readyReplicas ?? 0;
  if (ready.length < Math.max(want, 1)) return fail('endpoints-updating', `${kinds.catalog} has ${ready.length} ready endpoints of ${want} ready catalog Pods; the EndpointSlice controller is catching up.`);
  if (!response.includes(bodies.catalog)) {
    return fail('no-response', `The Service has ${ready.length} endpoints, but GET http://${kinds.catalog}/ from the storefront did not return the catalog (${response.trim().split('\n').at(-1) || 'no answer'}).`);
  }
  return pass(`Service ${kinds.catalog} selects ${shown(selector)}, reaches ${ready.length} catalog Pods, and the storefront gets "${bodies.catalog}".`);
}

export function catalogTruth(svc: ServiceObject | null, pods: Pod[]): string[] {
  const selector = svc?.spec.selector ?? {};
  const live = current(pods).filter((p) => p.metadata.labels?.app === kinds.catalog);
  const selects = (p: Pod) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v);
  if (!svc || Object.keys(selector).length === 0 || live.length === 0 || live.some(selects)) return [];
  const keys = Object.entries(selector).filter(([k, v]) => live.every((p) => p.metadata.labels?.[k] !== v));
  return spellings('selector', 'service selector', 'label selector', 'spec.selector', "the Service's selector", ...keys.flatMap(([k, v]) => [`${k} label`, `${k}=${v}`, `${k}: ${v}`, `selector ${k}=${v}`, `${k} in the selector`]));
}

// --- 5. reorder: a name that does not resolve -----------------------------------------------------

export interface Exec { ok: boolean; out: string }

export function judgeReorder(d: Deployment | null, pods: Pod[], lookup: Exec, request: Exec, now = Date.now()): CheckResult {
  const gone = deploymentGone(d, kinds.reorder, 'reorder-cannot-reach-inventory');
  if (gone) return gone;
  const waiting = rolloutPending(d!, kinds.reorder) ?? notReady(current(pods), kinds.reorder, now);
  if (waiting) return waiting;
  if (!lookup.ok) {
    const pinned = d!.spec.template.spec.hostAliases?.some((a) => a.hostnames.some((h) => h.startsWith(kinds.inventory)));
    if (pinned) {
      return fail('hosts-file-only', `m9-reorder finds ${kinds.inventory} only through a fixed /etc/hosts entry (hostAliases); DNS in the Pod still cannot resolve it, so every other name of the cluster fails too, and the entry breaks if the Service is recreated.`);
    }
    return fail('name-not-resolved', `DNS in the m9-reorder Pod cannot resolve ${kinds.inventory} (nslookup: ${lookup.out.trim().split('\n').at(-1) || 'no answer'}). Compare the Pod's /etc/resolv.conf with the cluster DNS Service (kubectl get service kube-dns -n kube-system).`);
  }
  if (!request.out.includes(bodies.inventory)) {
    return fail('no-response', `${kinds.inventory} resolves in the m9-reorder Pod, but GET http://${kinds.inventory}/ did not return the inventory (${request.out.trim().split('\n').at(-1) || 'no answer'}).`);
  }
  return pass(`The m9-reorder Pod resolves ${kinds.inventory} through the cluster DNS and gets "${bodies.inventory}" from it.`);
}

export function reorderTruth(pods: Pod[], clusterDns: string | undefined): string[] {
  const pod = current(pods)[0];
  const policy = pod?.spec.dnsPolicy;
  if (policy === 'Default') return spellings('dnsPolicy', 'dns policy', 'dnsPolicy: Default', 'dnsPolicy Default', 'dnsPolicy=Default', 'spec.dnsPolicy', 'the Default dns policy');
  if (policy === 'None' && clusterDns && !JSON.stringify(pod?.spec).includes(clusterDns)) return spellings('dnsPolicy', 'dns policy', 'dnsConfig', 'dnsPolicy: None', 'spec.dnsPolicy');
  return [];
}

// --- 6. reports: a claim that stays Pending -------------------------------------------------------

export function judgeReports(d: Deployment | null, pods: Pod[], claims: Claim[], classes: StorageClass[], wrote: boolean, now = Date.now()): CheckResult {
  const gone = deploymentGone(d, kinds.reports, 'reports-stay-pending');
  if (gone) return gone;
  const spec = d!.spec.template.spec;
  const mount = spec.containers.flatMap((c) => c.volumeMounts ?? []).find((m) => m.mountPath === '/data');
  const volume = spec.volumes?.find((v) => v.name === mount?.name);
  const claimName = (volume?.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName;
  if (!claimName) {
    const kind = volume ? Object.keys(volume).find((k) => k !== 'name') : 'nothing';
    return fail('not-persistent', `/data in the reports Pod is no longer a PersistentVolumeClaim (it is ${kind}): the reports would be lost with the Pod. Keep the data on a claim.`);
  }
  const claim = claims.find((c) => c.metadata.name === claimName && !c.metadata.deletionTimestamp);
  if (!claim) return fail('claim-missing', `The reports Pod mounts the claim ${claimName}, which does not exist (kubectl get pvc).`);
  if (claim.status?.phase !== 'Bound') {
    const cls = claim.spec.storageClassName;
    if (cls && !classes.some((c) => c.metadata.name === cls)) {
      return fail('claim-pending', `The claim ${claimName} is ${claim.status?.phase ?? 'Pending'} and the reports Pod cannot start without it. kubectl describe pvc ${claimName} shows why (its events).`);
    }
    return fail('claim-binding', `The claim ${claimName} is Pending, waiting for its volume (a class with WaitForFirstConsumer provisions once the Pod is scheduled).`);
  }
  const waiting = rolloutPending(d!, kinds.reports) ?? notReady(current(pods), kinds.reports, now);
  if (waiting) return waiting;
  if (!wrote) return fail('not-writing', `The reports Pod runs, but /data/reports/last-run is not there: the service could not write to its volume.`);
  return pass(`The claim ${claimName} is Bound (volume ${claim.spec.volumeName}, class ${claim.spec.storageClassName}) and the reports Pod wrote /data/reports/last-run on it.`);
}

export function reportsTruth(claims: Claim[], classes: StorageClass[]): string[] {
  const stuck = claims.find((c) => c.status?.phase === 'Pending' && c.spec.storageClassName && !classes.some((s) => s.metadata.name === c.spec.storageClassName));
  const cls = stuck?.spec.storageClassName;
  if (!cls) return [];
  return spellings('storageClassName', 'storage class', 'storageclass', 'storage class name', 'StorageClass', `storageClassName: ${cls}`, `storageClassName ${cls}`, cls, `storage class ${cls}`, `${cls} storage class`);
}

// --- live state ------------------------------------------------------------------------------------

function kubeOf(ctx: StepContext): KubeClient {
  if (!ctx.kube) throw new Error('a kind step ran without a Kubernetes context');
  return ctx.kube;
}
const ns = (kube: KubeClient) => ['-n', kube.namespace];
const getDeployment = (kube: KubeClient, name: string) => kube.getJson<Deployment>(['get', 'deployment', name, ...ns(kube)]);
const getPods = async (kube: KubeClient, app: string) => (await kube.getJson<List<Pod>>(['get', 'pods', ...ns(kube), '-l', `app=${app}`]))?.items ?? [];
const getEvents = async (kube: KubeClient) => (await kube.getJson<List<KubeEvent>>(['get', 'events', ...ns(kube)]))?.items ?? [];
const getService = (kube: KubeClient, name: string) => kube.getJson<ServiceObject>(['get', 'service', name, ...ns(kube)]);
const getClaims = async (kube: KubeClient) => (await kube.getJson<List<Claim>>(['get', 'pvc', ...ns(kube)]))?.items ?? [];
const getClasses = async (kube: KubeClient) => (await kube.getJson<List<StorageClass>>(['get', 'storageclasses']))?.items ?? [];
const getSlices = async (kube: KubeClient, service: string) => (await kube.getJson<List<EndpointSlice>>(['get', 'endpointslices', ...ns(kube), '-l', `kubernetes.io/service-name=${service}`]))?.items ?? [];
const clusterDnsIp = async (kube: KubeClient) => (await kube.getJson<ServiceObject>(['get', 'service', 'kube-dns', '-n', 'kube-system']))?.spec.clusterIP;

async function execIn(kube: KubeClient, deployment: string, container: string, command: string[]): Promise<Exec> {
  const r = await kube.tryKubectl(['exec', ...ns(kube), `deployment/${deployment}`, '-c', container, '--', ...command], { quiet: true, timeoutSeconds: 30 });
  return { ok: r.exitCode === 0, out: r.stdout + r.stderr };
}
async function logsOf(kube: KubeClient, pod: string, container: string, previous = false): Promise<string> {
  const r = await kube.tryKubectl(['logs', ...ns(kube), pod, '-c', container, '--tail', '20', ...(previous ? ['--previous'] : [])], { quiet: true, timeoutSeconds: 30 });
  return r.exitCode === 0 ? r.stdout : '';
}

/** The digest annotation matches and nobody changed the object since the lab created it. */
export function intact(live: (Deployment | ServiceObject | Claim) | null, manifest: Manifest): boolean {
  if (!live || (live.metadata as { deletionTimestamp?: string }).deletionTimestamp) return false;
  if (live.metadata.annotations?.[manifestAnnotation] !== manifest.metadata.annotations?.[manifestAnnotation]) return false;
  if (manifest.kind === 'Deployment') return ((live as Deployment).metadata.generation ?? 1) === 1;
  if (manifest.kind === 'Service') return JSON.stringify((live as ServiceObject).spec.selector) === JSON.stringify(manifest.spec.selector);
  if (manifest.kind === 'PersistentVolumeClaim') return (live as Claim).spec.storageClassName === manifest.spec.storageClassName;
  return true;
}

const resourceOf = (m: Manifest) => ({ Deployment: 'deployment', Service: 'service', PersistentVolumeClaim: 'pvc' })[m.kind] ?? m.kind.toLowerCase();

async function remove(kube: KubeClient, ...resources: string[]): Promise<void> {
  await kube.kubectl(['delete', ...resources, ...ns(kube), '--ignore-not-found', '--cascade=foreground', '--wait=true', '--timeout=120s'], { timeoutSeconds: 150 });
}

/** Recreates each object unless it is exactly as the lab made it: setup is idempotent and cheap. */
async function ensure(kube: KubeClient, ...manifests: Manifest[]): Promise<void> {
  for (const manifest of manifests) {
    const live = await kube.getJson<Deployment>(['get', resourceOf(manifest), manifest.metadata.name, ...ns(kube)]);
    if (intact(live, manifest)) continue;
    if (live) await remove(kube, `${resourceOf(manifest)}/${manifest.metadata.name}`);
    await kube.apply(JSON.stringify(manifest));
  }
}

async function rolloutStatus(kube: KubeClient, name: string): Promise<void> {
  await kube.kubectl(['rollout', 'status', `deployment/${name}`, ...ns(kube), '--timeout=180s'], { timeoutSeconds: 200 });
}

const patch = (kube: KubeClient, resource: string, type: 'json' | 'merge' | 'strategic', body: unknown) =>
  kube.kubectl(['patch', resource, ...ns(kube), '--type', type, '-p', JSON.stringify(body)]);
const scaleToZero = (name: string) => ({ name: `scales ${name} to zero`, apply: async (ctx: StepContext) => void (await kubeOf(ctx).kubectl(['scale', `deployment/${name}`, ...ns(kubeOf(ctx)), '--replicas=0'])) });
const deleteDeployment = (name: string) => ({ name: `deletes the Deployment ${name}`, apply: async (ctx: StepContext) => remove(kubeOf(ctx), `deployment/${name}`) });

const transient = ['rollout-in-progress', 'starting', 'endpoints-updating', 'claim-binding'];

/** Polls a judge of two snapshots: the state, then the state after a watch window if the first looked fine. */
async function watched<T>(look: () => Promise<T>, judge: (before: T, after: T) => CheckResult, windowMs: number): Promise<CheckResult> {
  return pollWhileTransient(async () => {
    const before = await look();
    const first = judge(before, before);
    if (first.status !== 'pass') return first;
    await sleep(windowMs);
    return judge(before, await look());
  }, transient, { timeoutMs: 240_000, intervalMs: 3000 });
}
const polled = (look: () => Promise<CheckResult>) => pollWhileTransient(look, transient, { timeoutMs: 240_000, intervalMs: 3000 });

const waitFor = (what: string, look: () => Promise<boolean>) => waitUntil(look, what, { timeoutMs: 180_000, intervalMs: 2000 });

// --- steps -------------------------------------------------------------------------------------------

const watchCheckout = async (kube: KubeClient): Promise<Watch> => ({ d: await getDeployment(kube, kinds.checkout), pods: await getPods(kube, kinds.checkout), events: await getEvents(kube) });
const checkoutStatus = (pods: Pod[]) => current(pods).flatMap((p) => (p.status.containerStatuses ?? []).filter((cs) => cs.name === 'checkout').map((cs) => ({ pod: p, cs })));

const checkoutFix: Step = {
  id: 'checkout-keeps-restarting',
  title: 'Fix: the checkout keeps restarting',
  target: 'kind',
  images: ['busybox'],
  conceal: { causeWords: ['liveness', 'probe', '8081'], names: [kinds.checkout, 'checkout', 'busybox'], files: ['kind-manifests.ts'] },
  goal:
    `The Pod of Deployment ${kinds.checkout} keeps restarting, and its log ends with warnings about the payment gateway. ` +
    'Make it stay up: it must run without restarts, and keep a liveness probe that checks the service. Change the Deployment, not the Pods.',
  async setup(ctx) {
    const kube = kubeOf(ctx);
    await ensure(kube, checkout);
    await waitFor(`a ${kinds.checkout} container to be restarted after a failed liveness probe`, async () => {
      const { pods, events } = await watchCheckout(kube);
      return checkoutStatus(pods).some(({ cs }) => cs.restartCount >= 1 && lastExit(cs) !== undefined) && livenessFailures(events, current(pods).map((p) => p.metadata.name)).length > 0;
    });
  },
  async symptom(ctx) {
    const kube = kubeOf(ctx);
    const { pods, events } = await watchCheckout(kube);
    const found = checkoutStatus(pods).find(({ cs }) => cs.restartCount >= 1 && cs.lastState?.terminated);
    const last = found ? (await logsOf(kube, found.pod.metadata.name, 'checkout', true)).trim().split('\n').at(-1) ?? '' : '';
    const exit = found?.cs.lastState?.terminated;
    const probe = livenessFailures(events, current(pods).map((p) => p.metadata.name))[0];
    return found && exit?.exitCode === 137 && exit.reason === 'Error' && /WARN payment gateway/.test(last) && probe
      ? pass(`RestartCount ${found.cs.restartCount}, last state Terminated (exit code 137, reason Error), previous log ends "${last}", event "${probe.message}"`)
      : fail('no-symptom', `expected restarts with exit 137 (Error), a log ending in a payment gateway warning and a failed liveness probe event; got ${exitText(exit)}, last line "${last}", event ${probe ? 'present' : 'absent'}`);
  },
  check: (ctx) => watched(() => watchCheckout(kubeOf(ctx)), judgeCheckout, 20_000),
  expected: { failsWith: 'restarting' },
  hints: {
    restarting: [
      `The log shows what the service said before it stopped, not who stopped it. kubectl describe pod -l app=${kinds.checkout} shows Last State (exit code and reason) and the Events: which component killed the container, and why?`,
      `Compare the two probes of the checkout container (kubectl get deployment ${kinds.checkout} -o yaml, livenessProbe and readinessProbe) with the port the service listens on: kubectl debug -it <pod> --image=busybox:1.37.0 --target=checkout -- netstat -ltn shows it from an ephemeral container.`,
      `Point the liveness probe at the port the service answers on: kubectl patch deployment ${kinds.checkout} --type=json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/livenessProbe/httpGet/port","value":8080}]'`,
    ],
    'no-liveness-probe': ['Without a liveness probe nothing restarts a checkout that hangs. Keep the probe and make it check the right port.'],
    'liveness-failing': ['A larger failureThreshold only delays the kill; the probe still fails. Make it check the port the service answers on.'],
    default: [`Start with kubectl get pods -l app=${kinds.checkout} and kubectl logs --previous.`],
  },
  cheats: [
    { name: 'removes the liveness probe', apply: async (ctx) => void (await patch(kubeOf(ctx), `deployment/${kinds.checkout}`, 'json', [{ op: 'remove', path: '/spec/template/spec/containers/0/livenessProbe' }])) },
    {
      name: 'raises the probe failureThreshold to 1000',
      apply: async (ctx) => {
        await patch(kubeOf(ctx), `deployment/${kinds.checkout}`, 'json', [{ op: 'replace', path: '/spec/template/spec/containers/0/livenessProbe/failureThreshold', value: 1000 }]);
        await rolloutStatus(kubeOf(ctx), kinds.checkout);
      },
    },
    scaleToZero(kinds.checkout),
  ],
  async solve(ctx) {
    const kube = kubeOf(ctx);
    await patch(kube, `deployment/${kinds.checkout}`, 'json', [{ op: 'replace', path: '/spec/template/spec/containers/0/livenessProbe/httpGet/port', value: 8080 }]);
    await rolloutStatus(kube, kinds.checkout);
  },
};

const watchThumbnails = async (kube: KubeClient): Promise<ThumbnailsWatch> => {
  const pods = await getPods(kube, kinds.thumbnails);
  const pod = current(pods).find((p) => p.status.containerStatuses?.find((cs) => cs.name === 'resizer')?.state?.running);
  const log = pod ? await logsOf(kube, pod.metadata.name, 'resizer') : '';
  const lastBatch = log.split('\n').filter((l) => / done$| failed$/.test(l)).at(-1) ?? '';
  return { d: await getDeployment(kube, kinds.thumbnails), pods, lastBatch };
};
const killedContainers = (pods: Pod[]) => current(pods).flatMap((p) => (p.status.containerStatuses ?? []).filter((cs) => lastExit(cs)?.reason === 'OOMKilled'));

const thumbnailsFix: Step = {
  id: 'thumbnails-keep-restarting',
  title: 'Fix: the thumbnail service keeps restarting',
  target: 'kind',
  images: ['busybox'],
  conceal: { causeWords: ['oom', 'memory', 'limit'], names: [kinds.thumbnails, 'resizer', 'uploader', 'busybox'], files: ['kind-manifests.ts'] },
  goal:
    `The Pod of Deployment ${kinds.thumbnails} keeps restarting. Make it run its batches without being killed, and keep a memory limit on every container. ` +
    'Either give the container what a batch needs, or make a batch need less (its BATCH_BUFFER_MB setting). Change the Deployment, not the Pods.',
  async setup(ctx) {
    const kube = kubeOf(ctx);
    await ensure(kube, thumbnails);
    await waitFor(`a ${kinds.thumbnails} container to be killed`, async () => killedContainers(await getPods(kube, kinds.thumbnails)).length > 0);
  },
  async symptom(ctx) {
    const pods = await getPods(kubeOf(ctx), kinds.thumbnails);
    const statuses = current(pods).flatMap((p) => p.status.containerStatuses ?? []);
    const resizer = statuses.find((cs) => cs.name === 'resizer');
    const uploader = statuses.find((cs) => cs.name === 'uploader');
    const exit = resizer && lastExit(resizer);
    return exit?.reason === 'OOMKilled' && exit.exitCode === 137 && uploader?.restartCount === 0
      ? pass(`resizer: ${exitText(exit)}, RestartCount ${resizer!.restartCount}; uploader: RestartCount 0`)
      : fail('no-symptom', `expected resizer OOMKilled with exit code 137 and uploader never restarted; got resizer ${exitText(exit)}, uploader RestartCount ${uploader?.restartCount}`);
  },
  check: (ctx) => watched(() => watchThumbnails(kubeOf(ctx)), judgeThumbnails, 15_000),
  expected: { failsWith: 'oom-killed' },
  hints: {
    'oom-killed': [
      `kubectl describe pod -l app=${kinds.thumbnails}: each container has its own Last State, Reason, Exit Code and Restart Count. Exit code 137 is 128 + 9, SIGKILL.`,
      `Compare the container's resources.limits.memory with what a batch allocates (its log names the buffer size, and BATCH_BUFFER_MB in its env).`,
      `Give it room: kubectl set resources deployment ${kinds.thumbnails} -c resizer --requests=memory=160Mi --limits=memory=160Mi (or lower BATCH_BUFFER_MB with kubectl set env so a batch fits in 64Mi).`,
    ],
    'no-memory-limit': ['Without a limit one oversized batch can take memory from every Pod on the node. Set a limit that fits a batch.'],
    default: [`Start with kubectl get pods -l app=${kinds.thumbnails}: the RESTARTS column counts all containers of the Pod.`],
  },
  cheats: [
    { name: 'removes the memory limit', apply: async (ctx) => void (await patch(kubeOf(ctx), `deployment/${kinds.thumbnails}`, 'json', [{ op: 'remove', path: '/spec/template/spec/containers/0/resources/limits' }])) },
    { name: 'raises the limit only to 80Mi', apply: async (ctx) => void (await kubeOf(ctx).kubectl(['set', 'resources', `deployment/${kinds.thumbnails}`, ...ns(kubeOf(ctx)), '-c', 'resizer', '--limits=memory=80Mi'])) },
    scaleToZero(kinds.thumbnails),
  ],
  async solve(ctx) {
    const kube = kubeOf(ctx);
    await kube.kubectl(['set', 'resources', `deployment/${kinds.thumbnails}`, ...ns(kube), '-c', 'resizer', '--requests=memory=160Mi', '--limits=memory=160Mi']);
    await rolloutStatus(kube, kinds.thumbnails);
  },
};

const invoicesFix: Step = {
  id: 'invoices-never-start',
  title: 'Fix: the invoice renderer never starts',
  target: 'kind',
  images: ['busybox'],
  conceal: { causeWords: ['memory', 'request', 'insufficient', 'capacity'], names: [kinds.invoices, 'invoices', 'busybox'], files: ['kind-manifests.ts'] },
  goal:
    `The Pod of Deployment ${kinds.invoices} never starts. The invoice renderer needs ${invoicesNeed}B of memory (256 megabytes); it must run with a memory request that reserves that. ` +
    'Change the Deployment, not the Pods.',
  async setup(ctx) {
    const kube = kubeOf(ctx);
    await ensure(kube, invoices);
    await waitFor(`the ${kinds.invoices} Pod to be reported unschedulable`, async () => invoicesTruth(await getPods(kube, kinds.invoices)).length > 0);
  },
  async symptom(ctx) {
    const pods = current(await getPods(kubeOf(ctx), kinds.invoices));
    const scheduled = pods.map((p) => condition(p, 'PodScheduled')).find((c) => c?.status === 'False');
    return pods[0]?.status.phase === 'Pending' && scheduled?.reason === 'Unschedulable' && /Insufficient memory/.test(scheduled.message ?? '')
      ? pass(`Pending, PodScheduled False: ${scheduled.message}`)
      : fail('no-symptom', `expected a Pending Pod with "Insufficient memory"; got ${pods[0]?.status.phase} and ${JSON.stringify(scheduled)}`);
  },
  check: (ctx) => polled(async () => judgeInvoices(await getDeployment(kubeOf(ctx), kinds.invoices), await getPods(kubeOf(ctx), kinds.invoices))),
  expected: { failsWith: 'unschedulable' },
  hints: {
    unschedulable: [
      `kubectl describe pod -l app=${kinds.invoices}: the FailedScheduling event says, node by node, why no node fits.`,
      `Compare the container's requests (kubectl get deployment ${kinds.invoices} -o jsonpath='{.spec.template.spec.containers[0].resources}') with what the node can give (kubectl describe node, Allocatable). Mind the unit suffixes: M and Mi, G and Gi.`,
      `kubectl set resources deployment ${kinds.invoices} -c invoices --requests=memory=256Mi (256M works too).`,
    ],
    'request-too-small': [`The renderer needs ${invoicesNeed}B. A request below that lets the scheduler place it where that memory is not free.`],
    'no-memory-request': ['Without a request the scheduler reserves nothing for the renderer. Keep a request of what it needs.'],
    default: [`Start with kubectl get pods -l app=${kinds.invoices} and kubectl get events --field-selector reason=FailedScheduling.`],
  },
  cheats: [
    { name: 'removes the memory request', apply: async (ctx) => void (await patch(kubeOf(ctx), `deployment/${kinds.invoices}`, 'json', [{ op: 'remove', path: '/spec/template/spec/containers/0/resources/requests/memory' }])) },
    { name: 'requests only 32Mi', apply: async (ctx) => void (await kubeOf(ctx).kubectl(['set', 'resources', `deployment/${kinds.invoices}`, ...ns(kubeOf(ctx)), '-c', 'invoices', '--requests=memory=32Mi'])) },
    deleteDeployment(kinds.invoices),
  ],
  async solve(ctx) {
    const kube = kubeOf(ctx);
    await kube.kubectl(['set', 'resources', `deployment/${kinds.invoices}`, ...ns(kube), '-c', 'invoices', '--requests=memory=256Mi']);
    await rolloutStatus(kube, kinds.invoices);
  },
};

const catalogRequest = async (kube: KubeClient) => (await execIn(kube, kinds.storefront, 'storefront', ['sh', '-c', httpGet(kinds.catalog)])).out;

const catalogFix: Step = {
  id: 'catalog-unreachable',
  title: 'Fix: the storefront cannot reach the catalog',
  target: 'kind',
  images: ['busybox'],
  conceal: { causeWords: ['selector', 'version', 'endpoint'], names: [kinds.catalog, kinds.storefront, kinds.catalogExtra, 'catalog', 'storefront', 'busybox'], files: ['kind-manifests.ts'] },
  goal:
    `The storefront calls http://${kinds.catalog}/ and every request fails, although both catalog Pods are ready. ` +
    `Make the Service ${kinds.catalog} reach the Pods that Deployment ${kinds.catalog} runs. Keep both, and keep them at 2 catalog replicas.`,
  async setup(ctx) {
    const kube = kubeOf(ctx);
    await remove(kube, `pod/${kinds.catalogExtra}`);
    await ensure(kube, catalog, catalogService, storefront);
    await rolloutStatus(kube, kinds.catalog);
    await rolloutStatus(kube, kinds.storefront);
    await waitFor('the storefront to log a failed request', async () => {
      const pod = current(await getPods(kube, kinds.storefront))[0];
      return pod ? /failed/.test((await logsOf(kube, pod.metadata.name, 'storefront')).trim().split('\n').at(-1) ?? '') : false;
    });
  },
  async symptom(ctx) {
    const kube = kubeOf(ctx);
    const endpoints = (await getSlices(kube, kinds.catalog)).flatMap((s) => s.endpoints ?? []);
    const ready = (await getDeployment(kube, kinds.catalog))?.status?.readyReplicas;
    const pod = current(await getPods(kube, kinds.storefront))[0];
    const last = pod ? (await logsOf(kube, pod.metadata.name, 'storefront')).trim().split('\n').at(-1) ?? '' : '';
    return endpoints.length === 0 && ready === 2 && /failed/.test(last)
      ? pass(`2 catalog Pods ready, the Service's EndpointSlices list no endpoint, the storefront logs "${last}"`)
      : fail('no-symptom', `expected no endpoints with 2 ready Pods and a failing storefront; got ${endpoints.length} endpoints, ${ready} ready, "${last}"`);
  },
  check: (ctx) =>
    polled(async () => {
      const kube = kubeOf(ctx);
      return judgeCatalog(await getDeployment(kube, kinds.catalog), await getService(kube, kinds.catalog), await getSlices(kube, kinds.catalog), await catalogRequest(kube));
    }),
  expected: { failsWith: 'no-endpoints' },
  hints: {
    'no-endpoints': [
      `kubectl get endpointslices -l kubernetes.io/service-name=${kinds.catalog} lists what the Service reaches. A Service reaches the Pods its selector picks, by label.`,
      `Put the Service's selector next to the Pods' labels: kubectl describe service ${kinds.catalog} (Selector) and kubectl get pods -l app=${kinds.catalog} --show-labels.`,
      `Make the selector pick what the Deployment creates: kubectl patch service ${kinds.catalog} -p '{"spec":{"selector":{"version":"v2"}}}' (or drop the key the Pods do not match).`,
    ],
    'pods-not-from-deployment': ['A Pod made by hand to match the selector is not the catalog Deployment: the next rollout leaves the Service with nothing again. Fix the selector (or the Pod template) instead.'],
    default: [`Start with kubectl logs deployment/${kinds.storefront} and kubectl get service,endpointslices.`],
  },
  cheats: [
    {
      name: 'adds a hand-made Pod that matches the selector',
      apply: async (ctx) => {
        const kube = kubeOf(ctx);
        const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: kinds.catalogExtra, labels: { ...catalogService.spec.selector as Record<string, string>, 'module9.lab': labId } }, spec: { ...(catalog.spec.template as { spec: object }).spec } };
        await kube.apply(JSON.stringify(pod));
        await kube.kubectl(['wait', '--for=condition=Ready', `pod/${kinds.catalogExtra}`, ...ns(kube), '--timeout=120s'], { timeoutSeconds: 150 });
      },
    },
    { name: 'deletes the Service', apply: async (ctx) => remove(kubeOf(ctx), `service/${kinds.catalog}`) },
    scaleToZero(kinds.catalog),
  ],
  async solve(ctx) {
    const kube = kubeOf(ctx);
    await patch(kube, `service/${kinds.catalog}`, 'merge', { spec: { selector: { version: 'v2' } } });
  },
};

const fqdn = (kube: KubeClient) => `${kinds.inventory}.${kube.namespace}.svc.cluster.local`;
const lookupInventory = async (kube: KubeClient) => execIn(kube, kinds.reorder, 'reorder', ['nslookup', fqdn(kube)]);

const reorderFix: Step = {
  id: 'reorder-cannot-reach-inventory',
  title: 'Fix: the reorder job cannot find the inventory',
  target: 'kind',
  images: ['busybox'],
  conceal: { causeWords: ['dnspolicy', 'dns policy', 'clusterfirst', 'resolv.conf', 'nameserver'], names: [kinds.reorder, kinds.inventory, 'reorder', 'inventory', 'busybox'], files: ['kind-manifests.ts'] },
  goal:
    `The reorder job (Deployment ${kinds.reorder}) calls http://${kinds.inventory}/ every few seconds and every call fails, while the inventory Service has a ready endpoint. ` +
    `Make the name ${kinds.inventory} resolve in the reorder Pod through the cluster DNS. Change the Deployment, not the Pods.`,
  async setup(ctx) {
    const kube = kubeOf(ctx);
    await ensure(kube, inventory, inventoryService, reorder);
    await rolloutStatus(kube, kinds.inventory);
    await rolloutStatus(kube, kinds.reorder);
    await waitFor('the reorder job to log a failed call', async () => {
      const pod = current(await getPods(kube, kinds.reorder))[0];
      return pod ? /failed/.test(await logsOf(kube, pod.metadata.name, 'reorder')) : false;
    });
  },
  async symptom(ctx) {
    const kube = kubeOf(ctx);
    const lookup = await lookupInventory(kube);
    const resolv = (await execIn(kube, kinds.reorder, 'reorder', ['cat', '/etc/resolv.conf'])).out;
    const dns = await clusterDnsIp(kube);
    const endpoints = (await getSlices(kube, kinds.inventory)).flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false);
    return !lookup.ok && dns !== undefined && !resolv.includes(dns) && endpoints.length > 0
      ? pass(`nslookup ${fqdn(kube)} fails in the reorder Pod, whose resolv.conf does not name the cluster DNS ${dns}; the inventory Service has ${endpoints.length} ready endpoint(s)`)
      : fail('no-symptom', `expected a failed lookup and a resolv.conf without ${dns}; got lookup ok=${lookup.ok}, resolv.conf: ${resolv.trim()}`);
  },
  check: (ctx) =>
    polled(async () => {
      const kube = kubeOf(ctx);
      const lookup = await lookupInventory(kube);
      const request = lookup.ok ? await execIn(kube, kinds.reorder, 'reorder', ['sh', '-c', httpGet(kinds.inventory)]) : { ok: false, out: '' };
      return judgeReorder(await getDeployment(kube, kinds.reorder), await getPods(kube, kinds.reorder), lookup, request);
    }),
  expected: { failsWith: 'name-not-resolved' },
  hints: {
    'name-not-resolved': [
      `kubectl exec deployment/${kinds.reorder} -- cat /etc/resolv.conf shows which DNS server the Pod asks, and its search domains. Compare with kubectl get service kube-dns -n kube-system.`,
      `kubectl get deployment ${kinds.reorder} -o yaml: which Pod setting decides what goes into resolv.conf? Read "Pod's DNS Policy" in the Kubernetes DNS page: the policy called Default is not the default.`,
      `kubectl patch deployment ${kinds.reorder} -p '{"spec":{"template":{"spec":{"dnsPolicy":"ClusterFirst"}}}}' (or remove the field: ClusterFirst is what a Pod gets when it sets none).`,
    ],
    'hosts-file-only': ['hostAliases writes a fixed line into /etc/hosts: every other cluster name still fails, and the address goes stale if the Service is recreated. Fix the Pod\'s DNS settings instead.'],
    default: [`Start with kubectl logs deployment/${kinds.reorder} and kubectl exec deployment/${kinds.reorder} -- nslookup ${kinds.inventory}.<namespace>.svc.cluster.local.`],
  },
  cheats: [
    {
      name: "pins the Service's address with hostAliases",
      apply: async (ctx) => {
        const kube = kubeOf(ctx);
        const ip = (await getService(kube, kinds.inventory))?.spec.clusterIP ?? '10.96.0.100';
        await patch(kube, `deployment/${kinds.reorder}`, 'strategic', { spec: { template: { spec: { hostAliases: [{ ip, hostnames: [kinds.inventory] }] } } } });
        await rolloutStatus(kube, kinds.reorder);
      },
    },
    scaleToZero(kinds.reorder),
  ],
  async solve(ctx) {
    const kube = kubeOf(ctx);
    await patch(kube, `deployment/${kinds.reorder}`, 'strategic', { spec: { template: { spec: { dnsPolicy: 'ClusterFirst' } } } });
    await rolloutStatus(kube, kinds.reorder);
  },
};

const provisioningFailed = async (kube: KubeClient) =>
  (await getEvents(kube)).find((e) => e.involvedObject.kind === 'PersistentVolumeClaim' && e.involvedObject.name === kinds.reportsData && e.reason === 'ProvisioningFailed');

const reportsFix: Step = {
  id: 'reports-stay-pending',
  title: 'Fix: the reports service stays Pending',
  target: 'kind',
  images: ['busybox'],
  conceal: { causeWords: ['storageclass', 'storage class', 'class', reportsClaimClass, 'provision'], names: [kinds.reports, kinds.reportsData, 'reports', 'data', 'busybox'], files: ['kind-manifests.ts'] },
  goal:
    `The Pod of Deployment ${kinds.reports} stays Pending, and so does its claim ${kinds.reportsData}. Make the reports service run with its /data on a bound persistent volume ` +
    `(keep /data on a PersistentVolumeClaim). A claim's class cannot be changed in place: recreate the claim (kubectl delete pvc, then create it again).`,
  async setup(ctx) {
    const kube = kubeOf(ctx);
    const claim = reportsClaim();
    const live = (await getClaims(kube)).find((c) => c.metadata.name === kinds.reportsData) ?? null;
    if (live && !intact(live, claim)) await remove(kube, `deployment/${kinds.reports}`, `pvc/${kinds.reportsData}`);
    await ensure(kube, claim, reports);
    await waitFor(`the claim ${kinds.reportsData} to report a failed provisioning`, async () => (await provisioningFailed(kube)) !== undefined);
    await waitFor(`the ${kinds.reports} Pod to be reported unschedulable`, async () => current(await getPods(kube, kinds.reports)).some((p) => condition(p, 'PodScheduled')?.status === 'False'));
  },
  async symptom(ctx) {
    const kube = kubeOf(ctx);
    const claim = (await getClaims(kube)).find((c) => c.metadata.name === kinds.reportsData);
    const event = await provisioningFailed(kube);
    const pod = current(await getPods(kube, kinds.reports))[0];
    const expected = `storageclass.storage.k8s.io "${reportsClaimClass}" not found`;
    return claim?.status?.phase === 'Pending' && event?.message.includes(expected) && pod?.status.phase === 'Pending'
      ? pass(`the claim is Pending with the event ProvisioningFailed: ${event.message}; the Pod is Pending`)
      : fail('no-symptom', `expected a Pending claim with ProvisioningFailed "${expected}"; got ${claim?.status?.phase}, "${event?.message}", Pod ${pod?.status.phase}`);
  },
  check: (ctx) =>
    polled(async () => {
      const kube = kubeOf(ctx);
      const pods = await getPods(kube, kinds.reports);
      const wrote = current(pods).some(isReady) ? (await execIn(kube, kinds.reports, 'reports', ['cat', '/data/reports/last-run'])).ok : false;
      return judgeReports(await getDeployment(kube, kinds.reports), pods, await getClaims(kube), await getClasses(kube), wrote);
    }),
  expected: { failsWith: 'claim-pending' },
  hints: {
    'claim-pending': [
      `kubectl describe pvc ${kinds.reportsData}: its events say why no volume is provisioned for it.`,
      'kubectl get storageclass lists the classes this cluster has, and which one is the default. On kind that is standard (rancher.io/local-path, WaitForFirstConsumer).',
      `Recreate the claim with a class the cluster has (or with no storageClassName, which takes the default): kubectl delete pvc ${kinds.reportsData}, then apply it again with storageClassName: standard. The Pending Pod picks it up.`,
    ],
    'not-persistent': ['An emptyDir lives and dies with the Pod: the reports would be lost. Keep /data on a claim.'],
    default: [`Start with kubectl get pods,pvc -l app=${kinds.reports} and kubectl describe pod -l app=${kinds.reports}.`],
  },
  cheats: [
    { name: 'replaces the claim with an emptyDir', apply: async (ctx) => void (await patch(kubeOf(ctx), `deployment/${kinds.reports}`, 'json', [{ op: 'replace', path: '/spec/template/spec/volumes/0', value: { name: 'data', emptyDir: {} } }])) },
    deleteDeployment(kinds.reports),
    scaleToZero(kinds.reports),
  ],
  async solve(ctx) {
    const kube = kubeOf(ctx);
    await remove(kube, `pvc/${kinds.reportsData}`);
    await kube.apply(JSON.stringify(reportsClaim('standard')));
    await rolloutStatus(kube, kinds.reports);
  },
};

// --- diagnoses ----------------------------------------------------------------------------------------

export const kindSteps: Step[] = [
  ...scenario(checkoutFix, {
    question: `What restarts the checkout container of ${kinds.checkout}? Name the mechanism (and its setting, if you like).`,
    truth: async (ctx) => {
      const kube = kubeOf(ctx);
      return checkoutTruth(await getPods(kube, kinds.checkout), await getEvents(kube));
    },
    wrongAnswers: ['payment gateway', 'OOMKilled', 'readiness probe'],
    hints: {
      default: [
        `kubectl logs --previous shows the last words of the container that was stopped. kubectl describe pod -l app=${kinds.checkout} shows Last State and the Events.`,
        'Exit code 137 means SIGKILL. Something killed the container; the Reason and the events say what.',
      ],
    },
  }),
  ...scenario(thumbnailsFix, {
    question: `Which container of the ${kinds.thumbnails} Pod keeps being killed?`,
    truth: async (ctx) => thumbnailsTruth(await getPods(kubeOf(ctx), kinds.thumbnails)),
    wrongAnswers: ['uploader', kinds.thumbnails],
    hints: {
      default: [`kubectl describe pod -l app=${kinds.thumbnails} lists each container with its State, Last State, Reason and Restart Count.`],
    },
  }),
  ...scenario(invoicesFix, {
    question: `What keeps the ${kinds.invoices} Pod from being scheduled? Name the resource or setting.`,
    truth: async (ctx) => invoicesTruth(await getPods(kubeOf(ctx), kinds.invoices)),
    wrongAnswers: ['cpu', 'taint', 'image'],
    hints: {
      default: [`kubectl describe pod -l app=${kinds.invoices}: the FailedScheduling event counts the nodes and says why each does not fit.`],
    },
  }),
  ...scenario(catalogFix, {
    question: `Which field of the Service ${kinds.catalog} keeps it from reaching the catalog Pods?`,
    truth: async (ctx) => {
      const kube = kubeOf(ctx);
      return catalogTruth(await getService(kube, kinds.catalog), await getPods(kube, kinds.catalog));
    },
    wrongAnswers: ['targetPort', 'port', 'clusterIP'],
    hints: {
      default: [`kubectl get endpointslices -l kubernetes.io/service-name=${kinds.catalog}, then kubectl describe service ${kinds.catalog} and kubectl get pods --show-labels.`],
    },
  }),
  ...scenario(reorderFix, {
    question: `Which setting of the ${kinds.reorder} Pod keeps ${kinds.inventory} from resolving?`,
    truth: async (ctx) => {
      const kube = kubeOf(ctx);
      return reorderTruth(await getPods(kube, kinds.reorder), await clusterDnsIp(kube));
    },
    wrongAnswers: ['coredns', 'selector', 'ndots'],
    hints: {
      default: [`kubectl exec deployment/${kinds.reorder} -- cat /etc/resolv.conf, then kubectl get service kube-dns -n kube-system. Which Pod setting writes that file?`],
    },
  }),
  ...scenario(reportsFix, {
    question: `Which setting of the claim ${kinds.reportsData} keeps it from binding?`,
    truth: async (ctx) => {
      const kube = kubeOf(ctx);
      return reportsTruth(await getClaims(kube), await getClasses(kube));
    },
    wrongAnswers: ['size', 'accessModes', 'WaitForFirstConsumer'],
    hints: {
      default: [`kubectl describe pvc ${kinds.reportsData} (its events), then kubectl get storageclass.`],
    },
  }),
];
