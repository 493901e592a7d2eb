// Lab 5, Kubernetes part (kind): the same catalogue, now a Deployment whose CPU limit (50m) is
// far below what 40 requests per second need, so CFS throttling holds it back. A k6 load test
// runs inside the cluster as a Job (from the suspended CronJob m9-lab5-k6), with thresholds on
// http_req_duration p(95) and http_req_failed. Step 1: the gate fails against the throttled
// Deployment. Step 2: raise the limit, run the gate again, and it passes. Checks read the
// Deployment, its Pods, the Jobs and the k6 summary JSON the Job prints: pure functions of
// `kubectl get -o json` and `kubectl logs`, unit-tested on fixtures.
import { buildAppImage } from '../lib/app-image.ts';
import { namespaceFor, type KubeClient } from '../lib/kube.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { EnvironmentError, error, fail, pass, pollWhileTransient, type CheckResult } from '../lib/result.ts';
import { judgeSummary, k6Load, k6Script, k6Thresholds, parseSummary } from './k6.ts';
import { catalogDeployment, catalogService, k6CronJob, k6ScriptConfigMap, kindNames, labId, throttledCpu } from './manifests.ts';

interface Container {
  name: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface Deployment {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number; template: { spec: { containers: Container[] } } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number };
}

export interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  status: { phase?: string; startTime?: string; conditions?: { type: string; status: string }[] };
}

export interface Job {
  metadata: { name: string; creationTimestamp: string };
  spec: { template: { metadata?: { labels?: Record<string, string> } } };
  status?: { succeeded?: number; failed?: number; active?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export interface KindState {
  deployment: Deployment | null;
  pods: Pod[];
  jobs: Job[];
  /** `kubectl logs job/<latest run> -c summary`, when that run has finished. */
  summaryText?: string | null;
}

/** CPU quantity in cores: "50m" is 0.05, "1" is 1, "1.5" is 1.5. */
export function cpuCores(quantity: string | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity.trim());
  if (!match) throw new Error(`unexpected CPU quantity "${quantity}"`);
  return Number(match[1]) / (match[2] ? 1000 : 1);
}

const isReady = (p: Pod) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** null once the Deployment runs its current template on ready Pods, else a transient failure. */
export function rollout(d: Deployment | null, pods: Pod[]): CheckResult | { since: number } {
  if (!d) return fail('deployment-missing', `There is no Deployment ${kindNames.deployment}. Set the step up again: npm run lab -- start ${labId} --from <this step>`);
  const want = d.spec.replicas ?? 1;
  const s = d.status ?? {};
  const live = pods.filter((p) => !p.metadata.deletionTimestamp);
  if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 0) || s.updatedReplicas !== want || s.readyReplicas !== want || live.length !== want || !live.every(isReady)) {
    return fail('rollout-in-progress', `${kindNames.deployment} is rolling out: ${s.readyReplicas ?? 0} of ${want} Pods ready.`);
  }
  return { since: Math.max(...live.map((p) => Date.parse(p.status.startTime ?? '1970-01-01T00:00:00Z'))) };
}

/** The newest load-test Job created after `since` (the start of the current Pods). */
export function latestRun(jobs: Job[], since: number): Job | undefined {
  return jobs
    .filter((j) => j.spec.template.metadata?.labels?.app === kindNames.jobApp && Date.parse(j.metadata.creationTimestamp) >= since)
    .sort((a, b) => Date.parse(b.metadata.creationTimestamp) - Date.parse(a.metadata.creationTimestamp))[0];
}

const runCommand = `kubectl create job m9-lab5-k6-1 --from=cronjob/${kindNames.cronJob}`;

/** The verdict of the latest run after the current Pods started, or a failure/error about it. */
type RunOutcome = { result: CheckResult } | { job: Job; verdict: Extract<ReturnType<typeof judgeSummary>, { kind: 'ran' }> };

function latestVerdict(state: KindState, since: number, ns: string): RunOutcome {
  const job = latestRun(state.jobs, since);
  if (!job) return { result: fail('no-run', `No load test has run against the current ${kindNames.deployment} Pods. Run one: ${runCommand} -n ${ns} (any new name each time).`) };
  const done = job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!done) return { result: fail('run-in-progress', `Job ${job.metadata.name} is still running (k6 runs for ${k6Load.seconds} s).`) };
  if (done.type === 'Failed') {
    return { result: error(`Job ${job.metadata.name} failed (${done.reason ?? 'no reason'}): k6 wrote no summary.`, `Read what k6 said: kubectl logs job/${job.metadata.name} -c k6 -n ${ns}`) };
  }
  const verdict = judgeSummary(parseSummary(state.summaryText ?? ''));
  if (verdict.kind === 'unreadable') return { result: error(`Job ${job.metadata.name}: ${verdict.reason}.`, `Look at it: kubectl logs job/${job.metadata.name} -c summary -n ${ns}`) };
  if (verdict.kind === 'unreachable') {
    return { result: error(`Job ${job.metadata.name} reached nothing: none of its ${verdict.requests} requests got an answer from http://${kindNames.service}:8080.`, `Check the Service and its endpoints: kubectl get endpointslices -l kubernetes.io/service-name=${kindNames.service} -n ${ns}`) };
  }
  if (verdict.kind === 'thresholds-changed') {
    return { result: fail('thresholds-changed', `Job ${job.metadata.name} ran with thresholds ${verdict.found.join(', ') || 'none'}, not the gate's ${JSON.stringify(k6Thresholds)}. Keep the script in ConfigMap ${kindNames.script} as it is.`) };
  }
  if (verdict.kind === 'incomplete') {
    return { result: fail('incomplete-run', `Job ${job.metadata.name} made ${verdict.requests} requests (${verdict.dropped} dropped), not the ${k6Load.rate * k6Load.seconds} the gate schedules. Keep the script as it is.`) };
  }
  return { job, verdict };
}

const numbers = (v: { p95: number; failedRate: number; requests: number }) => `p95 ${Math.round(v.p95)} ms, ${(v.failedRate * 100).toFixed(1)}% failed, ${v.requests} requests`;

export function judgeBaseline(state: KindState, ns: string): CheckResult {
  const r = rollout(state.deployment, state.pods);
  if ('status' in r) return r;
  const out = latestVerdict(state, r.since, ns);
  if ('result' in out) return out.result;
  const { job, verdict } = out;
  if (verdict.passed) {
    return fail('gate-passed', `Job ${job.metadata.name} passed its thresholds (${numbers(verdict)}) against the throttled catalogue. Check that ${kindNames.deployment} still has its ${throttledCpu} CPU limit, and run the gate again.`);
  }
  return pass(`Job ${job.metadata.name} crossed ${verdict.crossed.join(' and ')} against the catalogue limited to ${throttledCpu} CPU (${numbers(verdict)}).`);
}

export function judgeFixed(state: KindState, ns: string): CheckResult {
  const d = state.deployment;
  const container = d?.spec.template.spec.containers.find((c) => c.name === 'catalog');
  if (d && !container) return fail('container-missing', `${kindNames.deployment} has no container named catalog.`);
  const limit = cpuCores(container?.resources?.limits?.cpu);
  if (d && limit === undefined) return fail('no-cpu-limit', `The catalog container has no CPU limit. Keep one (at most 1 CPU), so that a runaway process cannot take the node's CPU; raise it instead.`);
  if (limit !== undefined && limit > 1) return fail('limit-too-high', `The catalog container may use ${limit} CPUs. It is a single Node.js process: keep the limit at 1 CPU or less.`);
  if (limit !== undefined && limit <= cpuCores(throttledCpu)!) return fail('throttled', `The catalog container's CPU limit is still ${container!.resources!.limits!.cpu}. At ${k6Load.rate} requests per second it needs more CPU time per 100 ms period than that quota gives.`);
  const r = rollout(d, state.pods);
  if ('status' in r) return r;
  const out = latestVerdict(state, r.since, ns);
  if ('result' in out) {
    const r = out.result;
    return r.status === 'fail' && r.code === 'no-run' ? fail('no-run-since-change', `${r.reason} The gate must pass against the changed Deployment.`) : r;
  }
  const { job, verdict } = out;
  if (!verdict.passed) return fail('thresholds-crossed', `Job ${job.metadata.name} crossed ${verdict.crossed.join(' and ')} (${numbers(verdict)}) with a CPU limit of ${container!.resources!.limits!.cpu}.`);
  return pass(`Job ${job.metadata.name} passed both thresholds (${numbers(verdict)}) with a CPU limit of ${container!.resources!.limits!.cpu}.`);
}

// --- Reading the cluster ---

function kubeOf(ctx: StepContext): KubeClient {
  if (!ctx.kube) throw new Error('a kind step ran without a Kubernetes context');
  return ctx.kube;
}

async function readState(kube: KubeClient): Promise<KindState> {
  const ns = kube.namespace;
  const deployment = await kube.getJson<Deployment>(['get', 'deployment', kindNames.deployment, '-n', ns]);
  const pods = (await kube.getJson<{ items: Pod[] }>(['get', 'pods', '-n', ns, '-l', `app=${kindNames.deployment}`]))?.items ?? [];
  const jobs = (await kube.getJson<{ items: Job[] }>(['get', 'jobs', '-n', ns]))?.items ?? [];
  const state: KindState = { deployment, pods, jobs };
  const since = rollout(deployment, pods);
  const job = 'since' in since ? latestRun(jobs, since.since) : undefined;
  if (job?.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True')) {
    const logs = await kube.tryKubectl(['logs', `job/${job.metadata.name}`, '-c', 'summary', '-n', ns], { quiet: true });
    state.summaryText = logs.exitCode === 0 ? logs.stdout : null;
  }
  return state;
}

const transient = ['rollout-in-progress', 'run-in-progress'];
const checkWith = (judge: (state: KindState, ns: string) => CheckResult) => (ctx: StepContext) =>
  pollWhileTransient(async () => judge(await readState(kubeOf(ctx)), kubeOf(ctx).namespace), transient, { timeoutMs: 240_000, intervalMs: 3000 });

/** Builds the lab's service images and loads them into the kind cluster of the context. */
async function loadAppImages(ctx: StepContext): Promise<void> {
  const kube = kubeOf(ctx);
  if (!kube.context.startsWith('kind-')) {
    throw new EnvironmentError(`The kind part loads the lab's own images into a kind cluster with kind load; the context ${kube.context} is not a kind cluster.`, 'Use the lab cluster: npm run lab -- cluster up');
  }
  const here = new URL('.', import.meta.url).pathname;
  for (const name of ['catalog', 'inventory']) {
    const ref = await buildAppImage(ctx, { name, entry: `${here}services/${name}.ts` });
    await ctx.shell.run('kind', ['load', 'docker-image', ref, '--name', kube.context.slice('kind-'.length)], { timeoutSeconds: 300 });
    // The cluster now has its own copy; the host copy (labelled) is removed unless the Docker
    // part is using it.
    await ctx.shell.tryRun('docker', ['image', 'rm', ref], { quiet: true });
  }
}

/** The catalogue at its 50m limit, the k6 script and CronJob, and no load-test Jobs. */
async function setUpCluster(ctx: StepContext): Promise<void> {
  const kube = kubeOf(ctx);
  await loadAppImages(ctx);
  const ns = kube.namespace;
  await kube.kubectl(['delete', 'jobs', '--all', '-n', ns, '--ignore-not-found', '--wait=true', '--timeout=120s'], { timeoutSeconds: 150 });
  await kube.kubectl(['delete', `deployment/${kindNames.deployment}`, `configmap/${kindNames.script}`, `cronjob/${kindNames.cronJob}`, '-n', ns, '--ignore-not-found', '--wait=true', '--timeout=120s'], { timeoutSeconds: 150 });
  for (const manifest of [catalogService, k6ScriptConfigMap(), k6CronJob, catalogDeployment()]) await kube.apply(manifest);
  await kube.kubectl(['rollout', 'status', `deployment/${kindNames.deployment}`, '-n', ns, '--timeout=180s'], { timeoutSeconds: 200 });
}

/** kubectl create job --from=cronjob/m9-lab5-k6, then waits until it has finished. */
export async function runGate(ctx: StepContext): Promise<void> {
  const kube = kubeOf(ctx);
  const name = `m9-lab5-k6-${Date.now().toString(36)}`;
  await kube.kubectl(['create', 'job', name, `--from=cronjob/${kindNames.cronJob}`, '-n', kube.namespace]);
  await kube.kubectl(['wait', '--for=condition=complete', `job/${name}`, '-n', kube.namespace, '--timeout=180s'], { timeoutSeconds: 200 });
}

const catalogContainerLimits = async (ctx: StepContext, args: string[]) => {
  const kube = kubeOf(ctx);
  await kube.kubectl(['set', 'resources', `deployment/${kindNames.deployment}`, '-c', 'catalog', '-n', kube.namespace, ...args]);
  await kube.kubectl(['rollout', 'status', `deployment/${kindNames.deployment}`, '-n', kube.namespace, '--timeout=180s'], { timeoutSeconds: 200 });
};

const ns = namespaceFor(labId);

export const kindSteps: Step[] = [
  {
    id: 'k6-gate-baseline',
    title: 'Run the k6 gate in the cluster',
    target: 'kind',
    goal:
      `The catalogue runs as Deployment ${kindNames.deployment} (catalogue and inventory containers in one Pod) ` +
      `with a CPU limit of ${throttledCpu} on the catalog container. A k6 load test with thresholds ` +
      `(${JSON.stringify(k6Thresholds)}) is ready as the template of the suspended CronJob ${kindNames.cronJob}. Run it ` +
      `as a Job, wait for it, and read its summary:\n` +
      `  ${runCommand} -n ${ns}\n` +
      `  kubectl wait --for=condition=complete job/m9-lab5-k6-1 -n ${ns} --timeout=180s\n` +
      `  kubectl logs job/m9-lab5-k6-1 -c summary -n ${ns}\n` +
      `The check passes when a run against the current Pods has finished and crossed a threshold.`,
    images: ['k6', 'busybox', 'node'],
    setup: setUpCluster,
    check: checkWith(judgeBaseline),
    expected: { failsWith: 'no-run' },
    hints: {
      'no-run': [`${runCommand} -n ${ns} copies the CronJob's job template into a new Job. Each run needs a new name.`],
      default: [`kubectl logs job/<name> -c k6 -n ${ns} shows what k6 printed; -c summary prints the summary JSON (metrics.http_req_duration.values["p(95)"] and .thresholds).`],
    },
    cheats: [
      {
        name: 'removes the thresholds from the script and runs it',
        apply: async (ctx) => {
          const kube = kubeOf(ctx);
          const script = k6Script(`http://${kindNames.service}:8080`).replace(/ {2}thresholds: .*\n/, '');
          await kube.kubectl(['delete', `configmap/${kindNames.script}`, '-n', kube.namespace]);
          await kube.apply(k6ScriptConfigMap(script));
          await runGate(ctx);
        },
      },
    ],
    solve: runGate,
  },
  {
    id: 'cpu-limit',
    title: 'Raise the CPU limit and pass the gate',
    target: 'kind',
    goal:
      `See the throttling: kubectl exec deploy/${kindNames.deployment} -c catalog -n ${ns} -- cat /sys/fs/cgroup/cpu.stat ` +
      `(nr_throttled and throttled_usec grow while a load test runs). Then give the catalog container a CPU ` +
      `limit that lets it serve ${k6Load.rate} requests per second: keep a limit, of at most 1 CPU, and change ` +
      `the Deployment, not the Pods. Run the gate again once the rollout is done; the check wants a run against ` +
      `the new Pods that passes both thresholds, with the script unchanged.`,
    images: ['k6', 'busybox', 'node'],
    setup: setUpCluster,
    check: checkWith(judgeFixed),
    expected: { failsWith: 'throttled' },
    hints: {
      throttled: [
        `A CPU limit becomes a CFS quota: ${throttledCpu} is 5 ms of CPU time per 100 ms period. Each request costs the catalogue about 3-4 ms of CPU for pricing, so ${k6Load.rate} requests per second need 12-16 ms per period, plus Node.js itself.`,
        `kubectl set resources deployment/${kindNames.deployment} -c catalog --requests=cpu=250m --limits=cpu=1 -n ${ns} changes the Pod template; the Deployment rolls out new Pods.`,
      ],
      'no-run-since-change': [`The gate has to pass against the new Pods: ${runCommand.replace('-1', '-2')} -n ${ns} once kubectl rollout status says the rollout is done.`],
      default: [`kubectl get deployment ${kindNames.deployment} -n ${ns} -o jsonpath='{.spec.template.spec.containers[0].resources}' shows the current requests and limits.`],
    },
    cheats: [
      {
        name: 'removes the CPU limit',
        apply: async (ctx) => {
          const kube = kubeOf(ctx);
          await kube.kubectl(['patch', `deployment/${kindNames.deployment}`, '-n', kube.namespace, '--type', 'json', '-p', '[{"op":"remove","path":"/spec/template/spec/containers/0/resources/limits/cpu"}]']);
          await kube.kubectl(['rollout', 'status', `deployment/${kindNames.deployment}`, '-n', kube.namespace, '--timeout=180s'], { timeoutSeconds: 200 });
        },
      },
      { name: 'raises the limit but does not run the gate again', apply: (ctx) => catalogContainerLimits(ctx, ['--requests=cpu=250m', '--limits=cpu=1']) },
    ],
    async solve(ctx) {
      await catalogContainerLimits(ctx, ['--requests=cpu=250m', '--limits=cpu=1']);
      await runGate(ctx);
    },
  },
];
