// Scenario 2, Docker part: the billing app fails some invoice downloads, and one of its
// containers keeps restarting. The learner finds which container and which resource from what
// Docker records (docker ps, docker inspect State, docker events, docker stats), names it, then
// fixes it: the limit raised to fit, or the app's own setting that drives the usage lowered. The
// check watches the outcome: the app answers and the container stays up, with no new kill, while
// its cache fills.
import { join } from 'node:path';
import { buildAppImage } from '../lib/app-image.ts';
import { causeAnswers } from '../lib/cause-answers.ts';
import { defineDiagnosis } from '../lib/diagnose.ts';
import type { ContainerInspect } from '../lib/docker.ts';
import { labLabel, recreateContainer } from '../lib/docker.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { error, fail, pass, type CheckResult } from '../lib/result.ts';
import { timedGet } from '../lib/traffic.ts';
import { sleep, waitUntil } from '../lib/wait.ts';

export const labId = 'scenario-2-resource-exhaustion';
export const prefix = 'm9-s2-';
export const names = { api: 'm9-s2-api', renderer: 'm9-s2-renderer', clerks: 'm9-s2-clerks', network: 'm9-s2-net' };
const MiB = 1024 * 1024;
/** The renderer's document cache must keep at least this much to be worth having. */
export const minCacheMb = 32;
/** A limit above this multiple of what the container uses is effectively no limit. */
export const maxLimitRatio = 4;
/** How long the check watches the app at the least, once the cache has filled. */
export const windowSeconds = 15;

export type Inspect = ContainerInspect & {
  Image: string;
  Created: string;
  State: ContainerInspect['State'] & { Restarting: boolean };
  Config: ContainerInspect['Config'] & { Env: string[] | null };
  NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null; Networks: Record<string, unknown> | null };
};

interface Spec {
  name: string;
  role: string;
  options: string[];
  /** Env this role is set up with (compared by setup, to leave an unchanged container alone). */
  env: Record<string, string>;
  memory: number;
}

export const specs: Spec[] = [
  { name: names.renderer, role: 'renderer', memory: 128 * MiB, env: { RENDER_CACHE_MB: '192' }, options: ['--restart', 'unless-stopped'] },
  { name: names.api, role: 'api', memory: 128 * MiB, env: { RENDERER_URL: `http://${names.renderer}:8080` }, options: ['--restart', 'unless-stopped', '-p', '127.0.0.1::8080'] },
  { name: names.clerks, role: 'clerks', memory: 128 * MiB, env: { API_URL: `http://${names.api}:8080` }, options: [] },
];

export const memoryFiles = { v2: 'memory.current', v1: 'memory/memory.usage_in_bytes' };

export const envOf = (c: Inspect, key: string) => (c.Config.Env ?? []).find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1);
/** The renderer's cache size as it runs: RENDER_CACHE_MB, or the app's default of 64. */
export const cacheMbOf = (c: Inspect) => Number(envOf(c, 'RENDER_CACHE_MB') ?? 64);
const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;

export function publishedUrl(c: Inspect): string | null {
  const binding = c.NetworkSettings.Ports?.['8080/tcp']?.find((b) => b.HostPort);
  if (!binding) return null;
  return `http://${binding.HostIp && binding.HostIp !== '0.0.0.0' ? binding.HostIp : '127.0.0.1'}:${binding.HostPort}`;
}

const inspect = async (ctx: Pick<StepContext, 'docker'>, name: string) => (await ctx.docker.inspect(name)) as Inspect | null;

async function inspectAll(ctx: Pick<StepContext, 'docker'>): Promise<Record<string, Inspect | null>> {
  const found: Record<string, Inspect | null> = {};
  for (const spec of specs) found[spec.name] = await inspect(ctx, spec.name);
  return found;
}

function unstable(c: Inspect, what: string): CheckResult {
  return fail(
    'unstable',
    `${c.Name.replace(/^\//, '')} ${what}: ${c.State.Running ? 'it runs again' : `it is ${c.State.Status}, last exit code ${c.State.ExitCode}`}, and Docker has restarted it ${c.RestartCount} times. ` +
      `Find out what ends it (docker inspect State, docker events), and fix that. Docker waits longer before each restart, so after a fix a restarting container may take a while to start: docker restart starts it now.`,
  );
}

/** The app as the check needs it: every container there and up, the renderer with a limit and a useful cache. */
export function billingStructure(containers: Record<string, Inspect | null>): CheckResult | null {
  for (const spec of specs) {
    const c = containers[spec.name];
    if (!c) return fail('container-missing', `There is no container ${spec.name}. The app needs all three; to start over: npm run lab -- start ${labId} --from invoice-downloads`);
  }
  const renderer = containers[names.renderer]!;
  if (renderer.HostConfig.Memory === 0) {
    return fail('no-memory-limit', `${names.renderer} runs with no memory limit: one runaway cache could then take the host's memory from every other container. Keep a limit that fits what it needs.`);
  }
  if (cacheMbOf(renderer) < minCacheMb) {
    return fail('cache-too-small', `${names.renderer} runs with RENDER_CACHE_MB=${cacheMbOf(renderer)}: with less than ${minCacheMb} MiB of cache every download renders the PDF again. Size the cache and the limit to fit each other.`);
  }
  for (const spec of specs) {
    const c = containers[spec.name]!;
    if (c.State.Restarting) return unstable(c, 'keeps restarting');
    if (!c.State.Running) return fail('not-running', `${spec.name} is ${c.State.Status} (exit code ${c.State.ExitCode}). The app needs it running.`);
  }
  return null;
}

export interface RendererStats {
  cacheBytes: number;
  cacheLimitBytes: number;
}

/** What the check saw over its window, judged: no restart, no kill, every download answered, a limit that still means something. */
export function judgeWindow(seen: { before: Inspect; after: Inspect | null; killEvents: number; downloads: { ok: number; failed: number; firstError?: string }; usageBytes: number }): CheckResult {
  const { before, after } = seen;
  if (!after) return fail('container-missing', `${names.renderer} disappeared while the check watched it.`);
  if (after.RestartCount !== before.RestartCount || after.State.StartedAt !== before.State.StartedAt || !after.State.Running) return unstable(after, 'restarted while the check watched it');
  if (seen.killEvents > 0) return unstable(after, `had ${seen.killEvents} kill event(s) while the check watched it`);
  if (seen.downloads.failed > 0) return fail('errors', `${seen.downloads.failed} of ${seen.downloads.ok + seen.downloads.failed} invoice downloads failed (first: ${seen.downloads.firstError}). Look at docker logs ${names.api}.`);
  const limit = after.HostConfig.Memory;
  if (seen.usageBytes > 0 && limit > maxLimitRatio * seen.usageBytes) {
    return fail('limit-too-high', `${names.renderer} is stable, but its limit (${mib(limit)}) is more than ${maxLimitRatio}x what it uses with a full cache (${mib(seen.usageBytes)}): that is no protection at all. Fit the limit to the need plus headroom.`);
  }
  return pass(
    `${names.renderer} stayed up with a full ${mib(cacheMbOf(after) * MiB)} cache: RestartCount stayed at ${after.RestartCount}, no kill events, ${seen.downloads.ok} downloads answered, ${mib(seen.usageBytes)} used of a ${mib(limit)} limit.`,
  );
}

/** The renderer's cache as it reports it, asked from the clerks' container (on the app's network). */
async function rendererStats(ctx: Pick<StepContext, 'shell'>): Promise<RendererStats | null> {
  const r = await ctx.shell.tryRun('docker', ['exec', names.clerks, 'node', '/app/app.cjs', 'probe', `http://${names.renderer}:8080/stats`], { quiet: true, timeoutSeconds: 20 });
  try {
    return r.exitCode === 0 ? (JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as RendererStats) : null;
  } catch {
    return null;
  }
}

/**
 * `docker events` of one kind for the lab's containers since a time in milliseconds: the container
 * names, one per event. `--since` counts whole seconds, so events from just before `sinceMs` (an
 * OOM kill in the second before the check began, say) are dropped by their own nanosecond time.
 */
async function eventsSince(ctx: Pick<StepContext, 'shell' | 'labId'>, event: string, sinceMs: number): Promise<string[]> {
  const until = Math.ceil(Date.now() / 1000);
  const r = await ctx.shell.run('docker', ['events', '--since', String(Math.floor(sinceMs / 1000)), '--until', String(until), '--filter', `label=${labLabel}=${ctx.labId}`, '--filter', `event=${event}`, '--format', '{{.TimeNano}} {{.Actor.Attributes.name}}'], { quiet: true });
  return eventNamesSince(r.stdout, sinceMs);
}

/** The names in `{{.TimeNano}} {{.Actor.Attributes.name}}` lines whose time is at or after `sinceMs`. */
export function eventNamesSince(lines: string, sinceMs: number): string[] {
  const sinceNs = BigInt(Math.floor(sinceMs)) * 1_000_000n;
  return lines
    .split('\n')
    .map((line) => line.trim().match(/^(\d+) (.+)$/))
    .filter((m): m is RegExpMatchArray => m !== null && BigInt(m[1]!) >= sinceNs)
    .map((m) => m[2]!);
}

export async function checkBilling(ctx: Pick<StepContext, 'docker' | 'shell' | 'labId'>, { minSeconds = windowSeconds, maxSeconds = 60 } = {}): Promise<CheckResult> {
  const containers = await inspectAll(ctx);
  const structural = billingStructure(containers);
  if (structural) return structural;
  const before = containers[names.renderer]!;
  const api = publishedUrl(containers[names.api]!);
  if (!api) return fail('not-published', `${names.api} does not publish its port 8080/tcp on 127.0.0.1 (NetworkSettings.Ports).`);
  const started = Date.now();
  const downloads = { ok: 0, failed: 0, firstError: undefined as string | undefined };
  let filledAt: number | null = null;
  let n = 0;
  for (;;) {
    const sample = await timedGet(`${api}/invoices/${(n += 1)}/pdf`, 5000, (b) => b.includes('"bytes"'));
    if (sample.ok) downloads.ok += 1;
    else {
      downloads.failed += 1;
      downloads.firstError ??= sample.error;
    }
    const now = await inspect(ctx, names.renderer);
    if (!now || now.RestartCount !== before.RestartCount || now.State.StartedAt !== before.State.StartedAt || !now.State.Running) break;
    const stats = await rendererStats(ctx);
    if (filledAt === null && stats && stats.cacheBytes >= stats.cacheLimitBytes) filledAt = Date.now();
    const elapsed = (Date.now() - started) / 1000;
    if (filledAt !== null && elapsed >= minSeconds && (Date.now() - filledAt) / 1000 >= 3) break;
    if (elapsed > maxSeconds) {
      return fail('cache-not-filling', `${names.renderer}'s cache did not fill within ${maxSeconds} s (${stats ? `${mib(stats.cacheBytes)} of ${mib(stats.cacheLimitBytes)}` : 'its /stats did not answer'}). Are the clerks sending downloads? docker logs ${names.clerks}`);
    }
    await sleep(1000);
  }
  const after = await inspect(ctx, names.renderer);
  const killEvents = (await eventsSince(ctx, 'oom', started)).filter((name) => name === names.renderer).length;
  // Judged without the usage first: a renderer that restarted cannot be read (docker exec refuses).
  const seen = { before, after, killEvents, downloads, usageBytes: 0 };
  const verdict = judgeWindow(seen);
  if (verdict.status !== 'pass') return verdict;
  try {
    seen.usageBytes = Number((await ctx.docker.readCgroup(names.renderer, memoryFiles)).trim());
  } catch (cause) {
    const again = judgeWindow({ ...seen, after: await inspect(ctx, names.renderer) });
    if (again.status !== 'pass') return again;
    return error(`Could not read ${names.renderer}'s memory usage: ${(cause as Error).message.split('\n').at(-1)}`, 'Run the check again: npm run lab -- check');
  }
  return judgeWindow(seen);
}

// --- setup ------------------------------------------------------------------------------------

const billingImage = (ctx: StepContext) => buildAppImage(ctx, { name: 'billing', entry: join(import.meta.dirname, 'billing.ts') });

const envOptions = (env: Record<string, string>) => Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);

/** True when the container is as setup left it (a restarting renderer included: that is the fault). */
function asSetUp(c: Inspect | null, spec: Spec, imageId: string): boolean {
  if (!c || c.Image !== imageId || c.HostConfig.Memory !== spec.memory || !c.NetworkSettings.Networks?.[names.network]) return false;
  if (!c.State.Running && !c.State.Restarting) return false;
  if (Object.entries(spec.env).some(([k, v]) => envOf(c, k) !== v)) return false;
  return spec.name !== names.api || publishedUrl(c) !== null;
}

async function ensureNetwork(ctx: StepContext): Promise<void> {
  const found = await ctx.shell.tryRun('docker', ['network', 'inspect', names.network], { quiet: true });
  if (found.exitCode !== 0) await ctx.shell.run('docker', ['network', 'create', '--label', `${labLabel}=${ctx.labId}`, names.network]);
}

const apiLog = async (ctx: StepContext) => {
  const r = await ctx.shell.tryRun('docker', ['logs', names.api], { quiet: true });
  return r.stdout + r.stderr;
};

export async function setupBilling(ctx: StepContext): Promise<void> {
  const image = await billingImage(ctx);
  const imageId = (await ctx.shell.run('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { quiet: true })).stdout.trim();
  await ensureNetwork(ctx);
  for (const spec of specs) {
    if (asSetUp(await inspect(ctx, spec.name), spec, imageId)) continue;
    const limit = ['--memory', `${spec.memory / MiB}m`, '--memory-swap', `${spec.memory / MiB}m`];
    await recreateContainer(ctx, spec.name, ['--network', names.network, ...limit, ...spec.options, ...envOptions(spec.env)], [spec.role], image);
  }
  await waitUntil(async () => ((await inspect(ctx, names.renderer))?.RestartCount ?? 0) >= 2 && /renderer unavailable/.test(await apiLog(ctx)), `${names.renderer} to restart twice and a download to fail`, {
    timeoutMs: 90_000,
    intervalMs: 1000,
  });
}

/** What the page shows: failed downloads in the api's log, and the renderer restarting. */
async function symptom(ctx: StepContext): Promise<CheckResult> {
  const renderer = await inspect(ctx, names.renderer);
  const failures = (await apiLog(ctx)).split('\n').filter((l) => /renderer unavailable/.test(l));
  return renderer && renderer.RestartCount >= 2 && failures.length > 0
    ? pass(`${names.renderer}: RestartCount ${renderer.RestartCount}, status ${renderer.State.Status}; the api logged ${failures.length} failed downloads, e.g. "${failures.at(-1)}"`)
    : fail('no-symptom', `expected ${names.renderer} restarted at least twice and failed downloads in the api's log, got RestartCount ${renderer?.RestartCount} and ${failures.length} failures`);
}

/** The lab's containers that the kernel killed: oom events since the app was created, or State.OOMKilled. */
async function killedContainers(ctx: StepContext): Promise<string[]> {
  const containers = Object.values(await inspectAll(ctx)).filter((c): c is Inspect => !!c);
  if (containers.length === 0) return [];
  const since = Math.min(...containers.map((c) => Date.parse(c.Created)));
  const fromEvents = await eventsSince(ctx, 'oom', since);
  return [...new Set([...fromEvents, ...containers.filter((c) => c.State.OOMKilled).map((c) => c.Name.replace(/^\//, ''))])];
}

export const unstableQuestion = (what: 'container' | 'Deployment') =>
  `Some invoice downloads fail, and part of the billing app keeps restarting. Which ${what} is being stopped, and which resource does it run out of? ` +
  `Answer as "<${what.toLowerCase()}> <resource>", e.g. "${names.api} cpu".`;

export const causeWords = ['oom', 'memory', 'killed'];

const conceal = {
  causeWords,
  names: [...Object.values(names), `module9/${labId}-billing:local`, 'api', 'renderer', 'clerks'],
  files: ['billing.ts'],
};

const update = (ctx: StepContext, ...args: string[]) => ctx.shell.run('docker', ['update', ...args]).then(() => undefined);

export const dockerSteps: Step[] = [
  defineDiagnosis({
    id: 'failing-downloads-diagnose',
    title: 'Diagnose: failing invoice downloads',
    target: 'docker',
    question: unstableQuestion('container'),
    setup: setupBilling,
    symptom,
    truth: async (ctx) => causeAnswers(await killedContainers(ctx), ['memory'], prefix),
    wrongAnswers: [`${names.api} memory`, `${names.renderer} cpu`, `${names.clerks} memory`],
    hints: {
      default: [
        `docker ps --filter label=${labLabel}=${labId} shows how long each container has been up. Which one never stays up for long?`,
        `docker inspect --format '{{json .State}} {{.RestartCount}}' <container> shows how its last run ended: the exit code, and whether the kernel ended it.`,
        `docker events --since 5m --filter label=${labLabel}=${labId} lists what happened to the containers, event by event. docker stats --no-stream shows usage against the limit.`,
      ],
    },
    conceal,
    images: ['node'],
  }),
  {
    id: 'invoice-downloads',
    title: 'Fix: every download answered, no restarts',
    target: 'docker',
    goal:
      `Make the billing app stable: every invoice download answered, and ${names.renderer} up for a whole window with a full cache, no restart and no kill. ` +
      `Fix the cause you found: the container's limit, or the app's own setting that drives its usage (RENDER_CACHE_MB, at least ${minCacheMb}). ` +
      `Keep a limit that fits (no more than ${maxLimitRatio}x what it uses). Recreating a container is fine: keep its name, network (${names.network}), restart policy and label ${labLabel}=${labId}.`,
    setup: setupBilling,
    symptom,
    check: checkBilling,
    expected: { failsWith: 'unstable' },
    hints: {
      unstable: [
        `docker stats --no-stream ${names.renderer} shows usage and limit; docker exec ${names.clerks} node /app/app.cjs probe http://${names.renderer}:8080/stats shows what its document cache holds and how big it may grow (RENDER_CACHE_MB).`,
        `The cache alone may grow to RENDER_CACHE_MB (in MiB), and the process needs memory besides (about 15 MiB on our CI machine: measure it once the cache is full). Either the limit grows to fit both, with headroom, or the cache shrinks to fit the limit.`,
        `docker update --memory 320m --memory-swap 320m ${names.renderer} raises the limit of the running container (set both: with swap, the limit would not be what you think). A restarting container then starts with it at Docker's next restart, or at once with docker restart.`,
      ],
      'no-memory-limit': ['Without a limit, the next cache that grows too far takes memory from every other container on the host. Keep a limit that fits.'],
      'limit-too-high': [`A limit far above the need protects nothing. Fit it to what the renderer uses with a full cache, plus headroom.`],
      'cache-too-small': [`Switching the cache off hides the problem and makes every download render again. Keep at least ${minCacheMb} MiB.`],
      'not-running': ['Stopping a container hides the problem: the app still has to answer the clerks.'],
      default: [`Start with docker ps --filter label=${labLabel}=${labId}.`],
    },
    cheats: [
      { name: 'removes the limit of the renderer', apply: async (ctx) => recreateRenderer(ctx, { RENDER_CACHE_MB: '192' }, []) },
      { name: 'raises the limit to 4 GiB', apply: (ctx) => update(ctx, '--memory', '4g', '--memory-swap', '4g', names.renderer).then(() => restart(ctx)) },
      { name: 'switches the cache off', apply: async (ctx) => recreateRenderer(ctx, { RENDER_CACHE_MB: '0' }, ['--memory', '128m', '--memory-swap', '128m']) },
      { name: "raises the api's limit instead", apply: (ctx) => update(ctx, '--memory', '512m', '--memory-swap', '512m', names.api) },
      { name: 'stops the renderer', apply: (ctx) => ctx.shell.run('docker', ['stop', '-t', '1', names.renderer]).then(() => undefined) },
      { name: 'deletes the renderer', apply: (ctx) => ctx.docker.removeContainer(names.renderer) },
    ],
    async solve(ctx) {
      await update(ctx, '--memory', '320m', '--memory-swap', '320m', names.renderer);
      await restart(ctx);
    },
    conceal,
    images: ['node'],
  },
];

async function restart(ctx: StepContext): Promise<void> {
  await ctx.shell.run('docker', ['restart', '-t', '1', names.renderer]);
  await waitUntil(async () => !!(await inspect(ctx, names.renderer))?.State.Running, `${names.renderer} to run`, { timeoutMs: 30_000 });
}

async function recreateRenderer(ctx: StepContext, env: Record<string, string>, limit: string[]): Promise<void> {
  await recreateContainer(ctx, names.renderer, ['--network', names.network, ...limit, '--restart', 'unless-stopped', ...envOptions(env)], ['renderer'], await billingImage(ctx));
}
