// Scenario 2, Kubernetes part (kind): the same billing app as three Deployments. The learner
// reads what Kubernetes records about the Pod that keeps restarting (RESTARTS, the container's
// last state and its reason, events, resources), names it, and fixes the Deployment. The check
// watches the outcome: the renderer's Pods stay up with no restart while the cache fills, and
// downloads sent from the clerks' Pod are all answered.
import { join } from 'node:path';
import { buildAppImage } from '../lib/app-image.ts';
import { causeAnswers } from '../lib/cause-answers.ts';
import { defineDiagnosis } from '../lib/diagnose.ts';
import { deploymentsState, execIn, getDeployments, loadIntoKind, rolloutStatus, serviceManifest, type Deployment, type ServiceSpec } from '../lib/kind-app.ts';
import type { KubeClient } from '../lib/kube.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { error, fail, pass, pollWhileTransient, type CheckResult } from '../lib/result.ts';
import type { Timing } from '../lib/traffic.ts';
import { sleep, waitUntil } from '../lib/wait.ts';
import { parseQuantity } from '../lab-2-resource-optimization/quantity.ts';
import { causeWords, labId, maxLimitRatio, minCacheMb, names, prefix, unstableQuestion, windowSeconds, type RendererStats } from './docker-steps.ts';

const deploymentNames = [names.api, names.renderer, names.clerks];
const MiB = 1024 * 1024;

export function billingServices(image: string): ServiceSpec[] {
  return [
    { name: names.renderer, container: 'renderer', image, http: true, env: { RENDER_CACHE_MB: '192' }, resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '1', memory: '128Mi' } } },
    { name: names.api, container: 'api', image, http: true, env: { RENDERER_URL: `http://${names.renderer}:8080` }, resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } } },
    { name: names.clerks, container: 'clerks', image, http: false, env: { API_URL: `http://${names.api}:8080` }, resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } } },
  ];
}

export const billingManifest = (image: string) => billingServices(image).map((s) => serviceManifest(labId, s)).join('---\n');

interface Terminated {
  reason?: string;
  exitCode: number;
  finishedAt?: string;
}

export interface ContainerStatus {
  name: string;
  ready: boolean;
  restartCount: number;
  state?: { running?: { startedAt: string }; waiting?: { reason?: string }; terminated?: Terminated };
  lastState?: { terminated?: Terminated };
}

export interface Pod {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status: { phase?: string; containerStatuses?: ContainerStatus[] };
}

const live = (pods: Pod[]) => pods.filter((p) => !p.metadata.deletionTimestamp);
const killed = (s: ContainerStatus) => s.state?.terminated?.reason === 'OOMKilled' || s.lastState?.terminated?.reason === 'OOMKilled';

/** The Deployments whose Pods have a container the kernel ended (reason OOMKilled, now or last time). */
export function killedWorkloads(pods: Pod[]): string[] {
  const found = live(pods).filter((p) => p.status.containerStatuses?.some(killed));
  return [...new Set(found.map((p) => p.metadata.labels?.app ?? p.metadata.name))];
}

/** The app as the check needs it: all three Deployments up, the renderer with a limit and a useful cache. */
export function billingStructureKind(deployments: Record<string, Deployment | null>): CheckResult | null {
  const state = deploymentsState(labId, 'invoice-downloads-kind', deployments);
  if (state?.status === 'fail' && state.code !== 'rollout-in-progress') return state;
  const renderer = deployments[names.renderer]!.spec.template.spec.containers.find((c) => c.name === 'renderer');
  if (!renderer) return fail('container-missing', `${names.renderer} has no container named renderer any more. Change its settings, not its shape; to start over: npm run lab -- start ${labId} --from invoice-downloads-kind --target kind`);
  if (!(parseQuantity(renderer.resources?.limits?.memory) ?? 0)) {
    return fail('no-memory-limit', `The renderer container of ${names.renderer} has no memory limit: one runaway cache could then take the node's memory from every other Pod. Keep a limit that fits what it needs.`);
  }
  const cacheMb = Number(renderer.env?.find((e) => e.name === 'RENDER_CACHE_MB')?.value ?? 64);
  if (cacheMb < minCacheMb) {
    return fail('cache-too-small', `${names.renderer} runs with RENDER_CACHE_MB=${cacheMb}: with less than ${minCacheMb} MiB of cache every download renders the PDF again. Size the cache and the limit to fit each other.`);
  }
  return null;
}

/** A rollout that is still replacing Pods (readiness aside: a crashing Pod of the new template is not transient). */
export function replacingPods(d: Deployment): boolean {
  const want = d.spec.replicas ?? 1;
  const s = d.status ?? {};
  return (s.observedGeneration ?? 0) < (d.metadata.generation ?? 0) || (s.updatedReplicas ?? 0) < want || (s.replicas ?? 0) > want;
}

/**
 * The renderer's Pods now: a container the kernel ended, restarts (or restarts since `before`),
 * a crash loop, or not yet ready. Null when every Pod runs and is ready with no restart.
 */
export function judgeRendererPods(pods: Pod[], before?: Record<string, number>): CheckResult | null {
  const current = live(pods);
  if (current.length === 0) return fail('starting', `${names.renderer} has no running Pod yet.`);
  for (const pod of current) {
    const s = pod.status.containerStatuses?.find((c) => c.name === 'renderer');
    if (!s) return fail('starting', `Pod ${pod.metadata.name} has not started its container yet.`);
    const restarted = before ? (before[pod.metadata.name] ?? 0) !== s.restartCount || !(pod.metadata.name in before) : s.restartCount > 0;
    if (killed(s) || restarted || s.state?.waiting?.reason === 'CrashLoopBackOff') {
      const last = s.state?.terminated ?? s.lastState?.terminated;
      return fail(
        'unstable',
        `Pod ${pod.metadata.name} does not stay up: RESTARTS ${s.restartCount}, ${s.state?.waiting?.reason ?? (s.state?.running ? 'running again' : 'not running')}` +
          `${last ? `, last ended with exit code ${last.exitCode} (${last.reason ?? 'no reason'})` : ''}. Fix what ends it: kubectl describe pod shows the last state and the events.`,
      );
    }
    if (!s.ready) return fail('starting', `Pod ${pod.metadata.name} is not ready yet.`);
  }
  return null;
}

/** The end of the window: every download answered, and a limit that still means something. */
export function judgeBillingEnd(measured: Timing | null, problem: string | undefined, limit: string, usageBytes: number): CheckResult {
  if (!measured) return fail('errors', `Could not send downloads from the clerks' Pod: ${problem}`);
  if (measured.errors > 0 || measured.timeouts > 0) {
    return fail('errors', `${measured.errors + measured.timeouts} of ${measured.count} invoice downloads failed (first: ${measured.firstError}). Look at kubectl logs deploy/${names.api}.`);
  }
  const limitBytes = parseQuantity(limit) ?? 0;
  if (usageBytes > 0 && limitBytes > maxLimitRatio * usageBytes) {
    return fail('limit-too-high', `${names.renderer} is stable, but its limit (${limit}) is more than ${maxLimitRatio}x what it uses with a full cache (${Math.round(usageBytes / MiB)} MiB): that is no protection at all. Fit the limit to the need plus headroom.`);
  }
  return pass(`${names.renderer} stayed up with a full cache and no restart; ${measured.count} downloads from the clerks' Pod all answered; ${Math.round(usageBytes / MiB)} MiB used of a ${limit} limit.`);
}

function kubeOf(ctx: StepContext): KubeClient {
  if (!ctx.kube) throw new Error('a kind step ran without a Kubernetes context');
  return ctx.kube;
}

async function rendererPods(kube: KubeClient): Promise<Pod[]> {
  return (await kube.getJson<{ items: Pod[] }>(['get', 'pods', '-n', kube.namespace, '-l', `app=${names.renderer}`]))?.items ?? [];
}

async function lastLine<T>(kube: KubeClient, command: string[]): Promise<{ value: T | null; problem?: string }> {
  const r = await execIn(kube, names.clerks, 'clerks', ['node', '/app/app.cjs', ...command]);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  if (r.exitCode !== 0 || !line.startsWith('{')) return { value: null, problem: (r.stderr.trim() || r.stdout.trim()).split('\n').at(-1) ?? `exit ${r.exitCode}` };
  return { value: JSON.parse(line) as T };
}

const rendererStats = (kube: KubeClient) => lastLine<RendererStats>(kube, ['probe', `http://${names.renderer}:8080/stats`]);

/** What the renderer's cgroup says it uses (cgroup v2 file first, as on kind's nodes; then v1). */
async function rendererUsage(kube: KubeClient): Promise<number> {
  const r = await execIn(kube, names.renderer, 'renderer', ['sh', '-c', 'cat /sys/fs/cgroup/memory.current 2>/dev/null || cat /sys/fs/cgroup/memory/memory.usage_in_bytes']);
  return r.exitCode === 0 ? Number(r.stdout.trim()) || 0 : 0;
}

/** During the window, a Pod that is not ready any more was running when the window began: it did not stay up. */
const restartedInWindow = (r: CheckResult) => (r.status === 'fail' && r.code === 'starting' ? fail('unstable', `${r.reason} It was running when the check began.`) : r);

export async function checkBillingKind(ctx: StepContext, { minSeconds = windowSeconds, maxSeconds = 90 } = {}): Promise<CheckResult> {
  const kube = kubeOf(ctx);
  const settled = await pollWhileTransient(
    async () => {
      const deployments = await getDeployments(kube, deploymentNames);
      const structural = billingStructureKind(deployments);
      if (structural) return structural;
      if (Object.values(deployments).some((d) => replacingPods(d!))) return fail('rollout-in-progress', 'A Deployment is still replacing its Pods.');
      return judgeRendererPods(await rendererPods(kube)) ?? pass('settled');
    },
    ['rollout-in-progress', 'starting'],
    { timeoutMs: 180_000, intervalMs: 3000 },
  );
  if (settled.status !== 'pass') return settled;
  const before = Object.fromEntries(live(await rendererPods(kube)).map((p) => [p.metadata.name, p.status.containerStatuses?.find((c) => c.name === 'renderer')?.restartCount ?? 0]));
  const started = Date.now();
  let filledAt: number | null = null;
  for (;;) {
    const now = judgeRendererPods(await rendererPods(kube), before);
    if (now) return restartedInWindow(now);
    const { value: stats } = await rendererStats(kube);
    if (filledAt === null && stats && stats.cacheBytes >= stats.cacheLimitBytes) filledAt = Date.now();
    const elapsed = (Date.now() - started) / 1000;
    if (filledAt !== null && elapsed >= minSeconds && (Date.now() - filledAt) / 1000 >= 3) break;
    if (elapsed > maxSeconds) return fail('cache-not-filling', `${names.renderer}'s cache did not fill within ${maxSeconds} s. Are the clerks sending downloads? kubectl logs deploy/${names.clerks}`);
    await sleep(2000);
  }
  const measured = await lastLine<Timing>(kube, ['measure', `http://${names.api}:8080`, '10', '5']);
  const limit = (await getDeployments(kube, [names.renderer]))[names.renderer]?.spec.template.spec.containers.find((c) => c.name === 'renderer')?.resources?.limits?.memory ?? '0';
  const usage = await rendererUsage(kube);
  const last = judgeRendererPods(await rendererPods(kube), before);
  if (last) return restartedInWindow(last);
  if (usage === 0) return error(`Could not read ${names.renderer}'s memory usage from its cgroup.`, 'Run the check again: npm run lab -- check');
  return judgeBillingEnd(measured.value, measured.problem, limit, usage);
}

async function apiFailures(kube: KubeClient): Promise<string[]> {
  const r = await kube.tryKubectl(['logs', '-n', kube.namespace, `deploy/${names.api}`, '-c', 'api', '--tail', '200'], { quiet: true });
  return r.stdout.split('\n').filter((l) => /renderer unavailable/.test(l));
}

export async function setupBillingKind(ctx: StepContext): Promise<void> {
  const kube = kubeOf(ctx);
  const image = await buildAppImage(ctx, { name: 'billing', entry: join(import.meta.dirname, 'billing.ts') });
  await loadIntoKind(ctx, image);
  await kube.apply(billingManifest(image));
  await rolloutStatus(kube, [names.api, names.clerks]);
  await waitUntil(
    async () => live(await rendererPods(kube)).some((p) => p.status.containerStatuses?.some((s) => s.restartCount >= 2 && killed(s))) && (await apiFailures(kube)).length > 0,
    `a ${names.renderer} Pod to restart twice and a download to fail`,
    { timeoutMs: 300_000, intervalMs: 3000 },
  );
}

async function symptomKind(ctx: StepContext): Promise<CheckResult> {
  const kube = kubeOf(ctx);
  const pods = live(await rendererPods(kube));
  const restarts = Math.max(0, ...pods.flatMap((p) => p.status.containerStatuses?.map((s) => s.restartCount) ?? []));
  const failures = await apiFailures(kube);
  return restarts >= 2 && failures.length > 0
    ? pass(`${names.renderer} Pod RESTARTS ${restarts}; the api logged ${failures.length} failed downloads, e.g. "${failures.at(-1)}"`)
    : fail('no-symptom', `expected a ${names.renderer} Pod restarted at least twice and failed downloads in the api's log, got RESTARTS ${restarts} and ${failures.length} failures`);
}

const conceal = {
  causeWords,
  names: [...deploymentNames, `module9/${labId}-billing:local`, 'api', 'renderer', 'clerks'],
  files: ['billing.ts'],
};

const k = (ctx: StepContext, args: string[]) => kubeOf(ctx).kubectl([...args, '-n', kubeOf(ctx).namespace]).then(() => undefined);

export const kindSteps: Step[] = [
  defineDiagnosis({
    id: 'failing-downloads-diagnose-kind',
    title: 'Diagnose: failing invoice downloads (kind)',
    target: 'kind',
    question: unstableQuestion('Deployment'),
    setup: setupBillingKind,
    symptom: symptomKind,
    truth: async (ctx) => causeAnswers(killedWorkloads(await allPods(kubeOf(ctx))), ['memory'], prefix),
    wrongAnswers: [`${names.api} memory`, `${names.renderer} cpu`, `${names.clerks} memory`],
    hints: {
      default: [
        `kubectl get pods -l module9.lab=${labId} shows RESTARTS per Pod. Which one never stays up for long?`,
        `kubectl describe pod <pod> shows the container's Last State: how its last run ended, the exit code and the reason Kubernetes recorded.`,
        `kubectl get events --sort-by=.lastTimestamp lists what happened; kubectl get deploy <name> -o yaml shows the resources and the environment the container runs with.`,
      ],
    },
    conceal,
    images: ['node'],
  }),
  {
    id: 'invoice-downloads-kind',
    title: 'Fix: every download answered, no restarts (kind)',
    target: 'kind',
    goal:
      `Make the billing app stable: every invoice download answered, and ${names.renderer}'s Pods up for a whole window with a full cache, no restart. ` +
      `Fix the Deployment you named: its container's limit, or the app's own setting that drives its usage (RENDER_CACHE_MB, at least ${minCacheMb}). ` +
      `Keep a limit that fits (no more than ${maxLimitRatio}x what it uses), and keep all three Deployments running.`,
    setup: setupBillingKind,
    symptom: symptomKind,
    check: checkBillingKind,
    expected: { failsWith: 'unstable' },
    hints: {
      unstable: [
        `kubectl exec deploy/${names.clerks} -- node /app/app.cjs probe http://${names.renderer}:8080/stats shows what the renderer's document cache holds and how big it may grow (RENDER_CACHE_MB). Compare with resources.limits.`,
        `The cache alone may grow to RENDER_CACHE_MB (in MiB), and the process needs memory besides (about 15 MiB on our CI machine: measure it once the cache is full). Either the limit grows to fit both, with headroom, or the cache shrinks to fit the limit.`,
        `kubectl set resources deployment ${names.renderer} -c renderer --limits=memory=320Mi --requests=memory=320Mi, or kubectl set env deployment/${names.renderer} RENDER_CACHE_MB=64: either rolls out a new Pod.`,
      ],
      'no-memory-limit': ['Without a limit, the next cache that grows too far takes memory from every other Pod on the node. Keep a limit that fits.'],
      'cache-too-small': [`Switching the cache off hides the problem and makes every download render again. Keep at least ${minCacheMb} MiB.`],
      'scaled-to-zero': ['Scaling a workload to zero hides the problem: the app still has to answer the clerks.'],
      default: [`kubectl get deploy,pods -l module9.lab=${labId} shows what runs.`],
    },
    cheats: [
      { name: 'removes the limit of the renderer', apply: (ctx) => k(ctx, ['patch', 'deployment', names.renderer, '--type', 'json', '-p', JSON.stringify([{ op: 'remove', path: '/spec/template/spec/containers/0/resources/limits/memory' }])]) },
      { name: 'switches the cache off', apply: (ctx) => k(ctx, ['set', 'env', `deployment/${names.renderer}`, 'RENDER_CACHE_MB=0']) },
      {
        name: "raises the api's limit instead",
        apply: async (ctx) => {
          await k(ctx, ['set', 'resources', 'deployment', names.api, '-c', 'api', '--limits=memory=512Mi']);
          await rolloutStatus(kubeOf(ctx), [names.api]);
        },
      },
      { name: 'scales the renderer to zero', apply: (ctx) => k(ctx, ['scale', `deployment/${names.renderer}`, '--replicas=0']) },
      { name: 'deletes the renderer Deployment', apply: (ctx) => k(ctx, ['delete', `deployment/${names.renderer}`, '--wait=true']) },
    ],
    async solve(ctx) {
      await k(ctx, ['set', 'resources', 'deployment', names.renderer, '-c', 'renderer', '--limits=memory=320Mi', '--requests=memory=320Mi']);
      await rolloutStatus(kubeOf(ctx), [names.renderer]);
    },
    conceal,
    images: ['node'],
  },
];

/** Every Pod of the lab (the diagnosis does not assume which one is at fault). */
async function allPods(kube: KubeClient): Promise<Pod[]> {
  return (await kube.getJson<{ items: Pod[] }>(['get', 'pods', '-n', kube.namespace]))?.items ?? [];
}
