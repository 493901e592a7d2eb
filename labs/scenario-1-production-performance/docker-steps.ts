// Scenario 1, Docker part: the shop answers quotes slowly under its usual traffic. The learner
// finds which container holds it back from metrics (the storefront's upstream timings, docker
// stats, the cgroup's cpu.stat), names it, then fixes it. The fix check measures the outcome:
// the latency of quote requests sent at a steady rate through the published port.
import { join } from 'node:path';
import { buildAppImage } from '../lib/app-image.ts';
import { causeAnswers } from '../lib/cause-answers.ts';
import { defineDiagnosis } from '../lib/diagnose.ts';
import type { ContainerInspect } from '../lib/docker.ts';
import { labLabel, parseStatFile, recreateContainer } from '../lib/docker.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { fail, pass, type CheckResult } from '../lib/result.ts';
import { paced, timedGet, type Timing } from '../lib/traffic.ts';
import { sleep, waitUntil } from '../lib/wait.ts';

export const labId = 'scenario-1-production-performance';
export const prefix = 'm9-s1-';
export const names = {
  storefront: 'm9-s1-storefront',
  pricing: 'm9-s1-pricing',
  inventory: 'm9-s1-inventory',
  shoppers: 'm9-s1-shoppers',
  network: 'm9-s1-net',
};
/** The shop's service level: 95% of quotes within this many milliseconds. */
export const latencyBoundMs = 200;
/** What the page tells the learner they will see before the fix. */
export const symptomLatencyMs = 500;
/** The check's own traffic: 40 quotes at 20 a second, on top of the shoppers' 20 a second. */
export const checkLoad = { count: 40, rate: 20 };
export const appContainers = [names.storefront, names.pricing, names.inventory];

/** The fields of `docker inspect` read here, beyond the shared ones. */
export type Inspect = ContainerInspect & {
  Image: string;
  NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null; Networks: Record<string, unknown> | null };
};

interface Spec {
  name: string;
  role: string;
  cpus: number;
  options: string[];
}

const upstreamEnv = ['-e', `PRICING_URL=http://${names.pricing}:8080`, '-e', `INVENTORY_URL=http://${names.inventory}:8080`];
export const specs: Spec[] = [
  { name: names.pricing, role: 'pricing', cpus: 0.1, options: [] },
  { name: names.inventory, role: 'inventory', cpus: 0.5, options: [] },
  { name: names.storefront, role: 'storefront', cpus: 1, options: ['-p', '127.0.0.1::8080', ...upstreamEnv] },
  { name: names.shoppers, role: 'shoppers', cpus: 0.5, options: ['-e', `STOREFRONT_URL=http://${names.storefront}:8080`] },
];

export const cpuStatFiles = { v2: 'cpu.stat', v1: 'cpu/cpu.stat' };

export function cpuLimit(c: ContainerInspect): number {
  if (c.HostConfig.NanoCpus > 0) return c.HostConfig.NanoCpus / 1e9;
  if (c.HostConfig.CpuQuota > 0) return c.HostConfig.CpuQuota / (c.HostConfig.CpuPeriod || 100_000);
  return 0;
}

export function publishedUrl(c: Inspect): string | null {
  const binding = c.NetworkSettings.Ports?.['8080/tcp']?.find((b) => b.HostPort);
  if (!binding) return null;
  const host = binding.HostIp && binding.HostIp !== '0.0.0.0' && binding.HostIp !== '::' ? binding.HostIp : '127.0.0.1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${binding.HostPort}`;
}

const inspect = async (ctx: Pick<StepContext, 'docker'>, name: string) => (await ctx.docker.inspect(name)) as Inspect | null;

async function inspectAll(ctx: Pick<StepContext, 'docker'>): Promise<Record<string, Inspect | null>> {
  const found: Record<string, Inspect | null> = {};
  for (const spec of specs) found[spec.name] = await inspect(ctx, spec.name);
  return found;
}

/** Quote requests sent at a steady rate through the storefront's published port. */
export async function timeQuotes(base: string, { count, rate } = checkLoad): Promise<Timing> {
  await timedGet(`${base}/healthz`, 5000); // opens the connection, so the first quote is not slower
  let n = 0;
  return paced(() => timedGet(`${base}/quote?sku=sku-${(n += 1) % 500}`, 5000, (b) => b.includes('"price"')), count, rate);
}

export const describeTiming = (t: Timing) =>
  `${t.count} quotes at ${checkLoad.rate}/s: p50 ${t.p50} ms, p95 ${t.p95} ms, max ${t.max} ms, ${t.errors} errors, ${t.timeouts} without an answer within 5 s`;

/** The shop as the check needs it: all four containers running, and each service with a CPU limit. */
export function shopStructure(containers: Record<string, Inspect | null>): CheckResult | null {
  for (const spec of specs) {
    const c = containers[spec.name];
    if (!c) return fail('container-missing', `There is no container ${spec.name}. The shop needs all four; to start over: npm run lab -- start ${labId} --from shop-latency`);
    if (!c.State.Running) return fail('not-running', `${spec.name} is ${c.State.Status} (exit code ${c.State.ExitCode}). The shop needs it running: its ${spec.role} role is part of the service or its traffic.`);
  }
  for (const name of appContainers) {
    if (cpuLimit(containers[name]!) === 0) {
      return fail('no-cpu-limit', `${name} runs with no CPU limit, so one busy service can take the CPU its neighbours on the host need. Keep a limit on every service, one that fits what it needs under load.`);
    }
  }
  return null;
}

/** The outcome: quotes sent at a steady rate come back, 95% of them within the bound. */
export function judgeQuotes(timing: Timing, where: string, logs: string): CheckResult {
  if (timing.errors > 0) return fail('errors', `${timing.errors} of ${timing.count} quotes failed (first: ${timing.firstError}). The storefront answers 502 when an upstream service does not answer: ${logs}.`);
  if (timing.p95 > latencyBoundMs) {
    return fail('slow', `Quotes are still slow: ${describeTiming(timing)}. The service level is p95 within ${latencyBoundMs} ms. Look at where the time goes: the storefront's /metrics, then the metrics of the service it waits for.`);
  }
  return pass(`${describeTiming(timing)}, ${where}: within the ${latencyBoundMs} ms service level, every service with a CPU limit.`);
}

export async function checkShop(ctx: Pick<StepContext, 'docker'>): Promise<CheckResult> {
  const containers = await inspectAll(ctx);
  const structural = shopStructure(containers);
  if (structural) return structural;
  const url = publishedUrl(containers[names.storefront]!);
  if (!url) return fail('not-published', `${names.storefront} does not publish its port 8080/tcp on 127.0.0.1 (NetworkSettings.Ports).`);
  return judgeQuotes(await timeQuotes(url), 'sent from the host through the published port', `docker logs ${names.storefront}`);
}

/** CFS periods and throttled periods of a container over `seconds`, from its cgroup's cpu.stat. */
export async function throttling(ctx: Pick<StepContext, 'docker'>, name: string, seconds = 3): Promise<{ periods: number; throttled: number }> {
  const before = parseStatFile(await ctx.docker.readCgroup(name, cpuStatFiles));
  await sleep(seconds * 1000);
  const after = parseStatFile(await ctx.docker.readCgroup(name, cpuStatFiles));
  return { periods: (after.nr_periods ?? 0) - (before.nr_periods ?? 0), throttled: (after.nr_throttled ?? 0) - (before.nr_throttled ?? 0) };
}

/** The containers held back by their CPU quota: throttled in at least a quarter of their periods. */
export function heldBack(samples: Record<string, { periods: number; throttled: number }>): string[] {
  return Object.entries(samples)
    .filter(([, s]) => s.periods >= 5 && s.throttled / s.periods >= 0.25)
    .map(([name]) => name);
}

// --- setup ------------------------------------------------------------------------------------

const shopImage = (ctx: StepContext) => buildAppImage(ctx, { name: 'shop', entry: join(import.meta.dirname, 'shop.ts') });

/** True when the container runs as the setup left it: same image, same CPU limit, on the shop's network. */
function asSetUp(c: Inspect | null, spec: Spec, imageId: string): boolean {
  if (!c?.State.Running || c.Image !== imageId || Math.abs(cpuLimit(c) - spec.cpus) > 1e-6) return false;
  if (!c.NetworkSettings.Networks?.[names.network]) return false;
  return spec.name !== names.storefront || publishedUrl(c) !== null;
}

async function ensureNetwork(ctx: StepContext): Promise<void> {
  const found = await ctx.shell.tryRun('docker', ['network', 'inspect', names.network], { quiet: true });
  if (found.exitCode !== 0) await ctx.shell.run('docker', ['network', 'create', '--label', `${labLabel}=${ctx.labId}`, names.network]);
}

/** Brings the shop up as it is in production (containers that already are stay), and waits for the slowdown. */
export async function setupShop(ctx: StepContext): Promise<void> {
  const image = await shopImage(ctx);
  const imageId = (await ctx.shell.run('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { quiet: true })).stdout.trim();
  await ensureNetwork(ctx);
  for (const spec of specs) {
    if (asSetUp(await inspect(ctx, spec.name), spec, imageId)) continue;
    await recreateContainer(ctx, spec.name, ['--network', names.network, '--cpus', String(spec.cpus), ...spec.options], [spec.role], image);
  }
  const storefront = await inspect(ctx, names.storefront);
  const url = storefront && publishedUrl(storefront);
  if (!url) throw new Error(`${names.storefront} publishes no port`);
  await waitUntil(async () => (await timedGet(`${url}/healthz`, 2000)).ok, `${names.storefront} to answer`, { timeoutMs: 30_000 });
  await waitUntil(async () => (await timeQuotes(url, { count: 20, rate: 20 })).p95 > symptomLatencyMs, `quotes to slow down past ${symptomLatencyMs} ms`, {
    timeoutMs: 90_000,
    intervalMs: 1000,
  });
}

/** Mean duration per upstream, from the storefront's Prometheus histogram (`_sum` / `_count`). */
export function upstreamMeans(metrics: string): Record<string, number> {
  const sums: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const line of metrics.split('\n')) {
    const m = /^storefront_upstream_duration_seconds_(sum|count)\{upstream="([^"]+)"\} ([\d.e+-]+)$/.exec(line.trim());
    if (m) (m[1] === 'sum' ? sums : counts)[m[2]!] = Number(m[3]);
  }
  return Object.fromEntries(Object.keys(sums).filter((k) => counts[k]).map((k) => [k, sums[k]! / counts[k]!]));
}

/** What the page shows: quotes slower than the bound, and the storefront waiting on pricing. */
async function symptom(ctx: StepContext): Promise<CheckResult> {
  const storefront = await inspect(ctx, names.storefront);
  const url = storefront && publishedUrl(storefront);
  if (!url) return fail('no-symptom', `${names.storefront} publishes no port`);
  const timing = await timeQuotes(url);
  const metrics = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) }).then((r) => r.text(), () => '');
  const means = upstreamMeans(metrics);
  const pricing = means.pricing ?? 0;
  const inventory = means.inventory ?? 0;
  return timing.p95 > symptomLatencyMs && timing.errors === 0 && pricing > 0.25 && pricing > 10 * inventory
    ? pass(`${describeTiming(timing)}; /metrics: mean upstream time pricing ${Math.round(pricing * 1000)} ms, inventory ${Math.round(inventory * 1000)} ms`)
    : fail('no-symptom', `expected p95 above ${symptomLatencyMs} ms with no errors and pricing as the slow upstream, got ${describeTiming(timing)}; means ${JSON.stringify(means)}`);
}

export const slowQuotesQuestion = (what: 'container' | 'Deployment') =>
  `The shop answers quotes in seconds instead of milliseconds. Which ${what} holds it back, and which resource does it run short of? ` +
  `Answer as "<${what.toLowerCase()}> <resource>", e.g. "${names.storefront} memory".`;

export const causeWords = ['cpu', 'throttl', 'quota', 'cfs', 'limit'];

const conceal = {
  causeWords,
  names: [...Object.values(names), `module9/${labId}-shop:local`, 'storefront', 'pricing', 'inventory', 'shoppers'],
  files: ['shop.ts'],
};

export const dockerSteps: Step[] = [
  defineDiagnosis({
    id: 'slow-quotes-diagnose',
    title: 'Diagnose: slow quotes',
    target: 'docker',
    question: slowQuotesQuestion('container'),
    setup: setupShop,
    symptom,
    async truth(ctx) {
      const samples: Record<string, { periods: number; throttled: number }> = {};
      await Promise.all(specs.map(async (s) => void (samples[s.name] = await throttling(ctx, s.name))));
      return causeAnswers(heldBack(samples), ['cpu'], prefix);
    },
    wrongAnswers: [`${names.storefront} cpu`, `${names.pricing} memory`, `${names.inventory} cpu`],
    hints: {
      default: [
        `Start where the time goes: curl -s http://$(docker port ${names.storefront} 8080/tcp)/metrics | grep upstream_duration_seconds_sum. Which upstream takes the time?`,
        `docker stats --no-stream shows each container's usage. A low percentage does not mean the container has enough: compare it with what it is allowed (docker inspect --format '{{.HostConfig.NanoCpus}}').`,
        `The cgroup keeps count of the periods in which a container wanted to run and could not: docker exec <container> cat /sys/fs/cgroup/cpu.stat (cgroup v2) or /sys/fs/cgroup/cpu/cpu.stat (cgroup v1). Read it twice, a few seconds apart.`,
      ],
    },
    conceal,
    images: ['node'],
  }),
  {
    id: 'shop-latency',
    title: 'Fix: quotes within 200 ms again',
    target: 'docker',
    goal:
      `Make the shop answer 95% of quotes within ${latencyBoundMs} ms again, under its usual traffic (${names.shoppers} keeps sending 20 a second). ` +
      `Fix the cause you found. Keep all four containers running, and keep a CPU limit on every service. ` +
      `Recreating a container is fine: keep its name, network (${names.network}) and label ${labLabel}=${labId}.`,
    setup: setupShop,
    symptom,
    check: checkShop,
    expected: { failsWith: 'slow' },
    hints: {
      slow: [
        `Read the cpu.stat of the container you named twice, a few seconds apart: nr_throttled grows with nr_periods. How much of a CPU is it allowed, and how much does it need at 20 quotes a second?`,
        `docker update --cpus changes the CPU limit of a running container, without a restart. Each quote costs the pricing service about 8 ms of CPU; give it headroom over what the traffic needs.`,
      ],
      'no-cpu-limit': ['Removing the limit makes quotes fast, and lets one busy service starve the others on the host. Keep a limit that fits.'],
      'not-running': ['Stopping the traffic or a service hides the problem: the shop still has to serve its shoppers.'],
      default: [`Look at the storefront first: curl -s http://$(docker port ${names.storefront} 8080/tcp)/metrics`],
    },
    cheats: [
      { name: 'removes the CPU limit of pricing', apply: (ctx) => recreatePricingUnlimited(ctx) },
      { name: 'raises the CPU limit of the storefront instead', apply: async (ctx) => void (await ctx.shell.run('docker', ['update', '--cpus', '2', names.storefront])) },
      { name: 'stops the shoppers', apply: async (ctx) => void (await ctx.shell.run('docker', ['stop', '-t', '1', names.shoppers])) },
      { name: 'deletes the pricing container', apply: (ctx) => ctx.docker.removeContainer(names.pricing) },
    ],
    async solve(ctx) {
      await ctx.shell.run('docker', ['update', '--cpus', '1', names.pricing]);
      // The storefront's queue of waiting quotes drains within a second at the new limit.
      await sleep(2000);
    },
    conceal,
    images: ['node'],
  },
];

async function recreatePricingUnlimited(ctx: StepContext): Promise<void> {
  await recreateContainer(ctx, names.pricing, ['--network', names.network], ['pricing'], await shopImage(ctx));
}

