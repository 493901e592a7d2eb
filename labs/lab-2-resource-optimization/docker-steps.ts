// Lab 2, Docker part: a memory limit and the OOM kill, CPU quota and CFS throttling, and
// right-sizing a container from what it really uses. Checks read `docker inspect` and the
// container's own cgroup files (cgroup v1 or v2), never the learner's command history.
import type { ContainerInspect, DockerClient } from '../lib/docker.ts';
import { parseStatFile, recreateContainer as recreate } from '../lib/docker.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { fail, pass, pollWhileTransient, type CheckResult } from '../lib/result.ts';
import { sleep, waitUntil as waitFor } from '../lib/wait.ts';

const MiB = 1024 * 1024;
export const names = { memory: 'm9-lab2-mem', cpu: 'm9-lab2-cpu', web: 'm9-lab2-web' };

/** The cache loader needs 100 MiB of tmpfs, which the memory cgroup charges to the container. */
export const cacheCommand = ['sh', '-c', 'set -e; head -c 100m /dev/zero > /dev/shm/cache; exec sleep 86400'];
/** A single-threaded worker: bursts of work, then a short sleep (about 0.3 CPU on average). */
export const workerCommand = ['sh', '-c', 'while :; do i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; sleep 0.2; done'];
/** A service that holds 40 MiB of data in memory. */
export const webCommand = ['sh', '-c', 'set -e; head -c 40m /dev/zero > /dev/shm/data; exec sleep 86400'];

const memoryFiles = { v2: 'memory.current', v1: 'memory/memory.usage_in_bytes' };
const cpuStatFiles = { v2: 'cpu.stat', v1: 'cpu/cpu.stat' };

export function cpuLimit(c: ContainerInspect): number {
  if (c.HostConfig.NanoCpus > 0) return c.HostConfig.NanoCpus / 1e9;
  if (c.HostConfig.CpuQuota > 0) return c.HostConfig.CpuQuota / (c.HostConfig.CpuPeriod || 100_000);
  return 0;
}

const secondsRunning = (c: ContainerInspect) => (Date.now() - Date.parse(c.State.StartedAt)) / 1000;
const mib = (bytes: number) => `${Math.round(bytes / MiB)} MiB`;

/** The common part of every check: the container exists, runs, and was not OOM-killed. */
function containerHealth(name: string, c: ContainerInspect | null, step: string): CheckResult | null {
  if (!c) return fail('container-missing', `There is no container ${name}. If you removed it, set the step up again: npm run lab -- start lab-2 --from ${step}`);
  if (!c.State.Running && (c.State.OOMKilled || c.State.ExitCode === 137)) {
    return fail('oom-killed', `${name} is not running: it exited with code ${c.State.ExitCode} and OOMKilled=${c.State.OOMKilled}. Look at its memory limit (HostConfig.Memory) and what it needs.`);
  }
  if (!c.State.Running) return fail('not-running', `${name} is ${c.State.Status} (exit code ${c.State.ExitCode}). Start it again once its settings are right.`);
  return null;
}

/** Reads usage once the container has been up long enough for its workload to load. */
async function settledMemoryUsage(docker: DockerClient, name: string): Promise<{ c: ContainerInspect | null; usage: number }> {
  let c = await docker.inspect(name);
  while (c?.State.Running && secondsRunning(c) < 4) {
    await sleep(1000);
    c = await docker.inspect(name);
  }
  if (!c?.State.Running) return { c, usage: 0 };
  return { c, usage: Number((await docker.readCgroup(name, memoryFiles)).trim()) };
}

export async function checkMemoryLimit({ docker }: Pick<StepContext, 'docker'>): Promise<CheckResult> {
  return pollWhileTransient(async () => {
    const { c, usage } = await settledMemoryUsage(docker, names.memory);
    const unhealthy = containerHealth(names.memory, c, 'memory-limit');
    if (unhealthy) return unhealthy;
    const limit = c!.HostConfig.Memory;
    if (limit === 0) return fail('no-memory-limit', `${names.memory} runs with no memory limit, so one leak can take the whole host's memory. Give it a limit that fits what it needs.`);
    if (usage < 100 * MiB) return fail('still-loading', `${names.memory} uses ${mib(usage)}; its 100 MiB cache has not loaded yet.`);
    if (limit > 4 * usage) return fail('limit-too-high', `The limit (${mib(limit)}) is more than 4x what ${names.memory} uses (${mib(usage)}): that reserves memory nothing needs. Aim for the need plus headroom.`);
    return pass(`${names.memory} runs with its cache loaded: ${mib(usage)} used of a ${mib(limit)} limit, not OOM-killed.`);
  }, ['still-loading'], { timeoutMs: 20_000 });
}

/** Measures throttling over a window of `window` seconds (a test passes 0). */
export async function checkCpuThrottling({ docker }: Pick<StepContext, 'docker'>, window = 5): Promise<CheckResult> {
  const c = await docker.inspect(names.cpu);
  const unhealthy = containerHealth(names.cpu, c, 'cpu-throttling');
  if (unhealthy) return unhealthy;
  const limit = cpuLimit(c!);
  if (limit === 0) return fail('no-cpu-limit', `${names.cpu} has no CPU limit. This lab keeps one, so a runaway worker cannot starve its neighbours: raise it instead of removing it.`);
  if (limit > 2) return fail('limit-too-high', `${names.cpu} may use ${limit} CPUs; a single-threaded worker cannot use more than one. Keep the limit at 2 CPUs or less.`);
  const before = parseStatFile(await docker.readCgroup(names.cpu, cpuStatFiles));
  await sleep(window * 1000);
  const after = parseStatFile(await docker.readCgroup(names.cpu, cpuStatFiles));
  const periods = (after.nr_periods ?? 0) - (before.nr_periods ?? 0);
  const throttled = (after.nr_throttled ?? 0) - (before.nr_throttled ?? 0);
  const ratio = periods > 0 ? throttled / periods : 0;
  const observed = `${throttled} of ${periods} CFS periods throttled in ${window} s (${Math.round(ratio * 100)}%) at a limit of ${limit} CPU`;
  if (ratio >= 0.1) return fail('throttled', `${names.cpu} is still throttled: ${observed}. The quota is used up before each 100 ms period ends.`);
  return pass(`${names.cpu} is not held back: ${observed}.`);
}

export async function checkRightSize({ docker }: Pick<StepContext, 'docker'>): Promise<CheckResult> {
  return pollWhileTransient(async () => {
    const { c, usage } = await settledMemoryUsage(docker, names.web);
    const unhealthy = containerHealth(names.web, c, 'right-size');
    if (unhealthy) return unhealthy;
    const limit = c!.HostConfig.Memory;
    if (limit === 0) return fail('no-memory-limit', `${names.web} has no memory limit. Right-sizing means a limit that fits, not none.`);
    if (usage < 40 * MiB) return fail('still-loading', `${names.web} uses ${mib(usage)}; its 40 MiB of data has not loaded yet.`);
    const ratio = limit / usage;
    const observed = `limit ${mib(limit)} for ${mib(usage)} in use (${ratio.toFixed(2)}x)`;
    if (ratio > 3) return fail('oversized', `${names.web} is oversized: ${observed}. Measure what it uses and set the limit to 1.25x-3x of that.`);
    if (ratio < 1.25) return fail('too-tight', `${names.web} has almost no headroom: ${observed}. A small spike would OOM-kill it; leave at least 25%.`);
    return pass(`${names.web} is right-sized: ${observed}.`);
  }, ['still-loading'], { timeoutMs: 20_000 });
}

export const dockerSteps: Step[] = [
  {
    id: 'memory-limit',
    title: 'A memory limit and the OOM kill',
    target: 'docker',
    goal:
      `The container ${names.memory} loads a 100 MiB cache at start, and it keeps dying. Find out why ` +
      `(docker ps -a, docker inspect), then make it run: give it a memory limit that fits what it ` +
      `needs, with headroom but no more than 4x its usage, and start it again. Keep the container ` +
      `(docker update changes the limits of an existing container).`,
    async setup(ctx) {
      await recreate(ctx, names.memory, ['--memory', '64m', '--memory-swap', '64m', '--shm-size', '256m'], cacheCommand);
      await waitFor(async () => (await ctx.docker.inspect(names.memory))?.State.OOMKilled === true, `${names.memory} to be OOM-killed`);
    },
    async symptom({ docker }) {
      const c = await docker.inspect(names.memory);
      return c && !c.State.Running && c.State.OOMKilled && c.State.ExitCode === 137
        ? pass(`${names.memory} exited with code 137 and OOMKilled=true`)
        : fail('no-symptom', `expected ${names.memory} exited with 137 and OOMKilled=true, got ${JSON.stringify(c?.State)}`);
    },
    check: checkMemoryLimit,
    expected: { failsWith: 'oom-killed' },
    hints: {
      'oom-killed': [
        `Exit code 137 is 128 + 9: the process got SIGKILL. docker inspect --format '{{.State.OOMKilled}} {{.HostConfig.Memory}}' ${names.memory} shows who sent it and the limit in bytes.`,
        'The cache is 100 MiB, and tmpfs (/dev/shm) pages count against the memory limit. The limit must be above that, with some headroom.',
        `docker update needs --memory and --memory-swap together here, because the swap limit was set equal to the memory limit. Then docker start ${names.memory}.`,
      ],
      'limit-too-high': ['Measure what it uses with docker stats --no-stream, then aim for roughly 1.5x that.'],
      default: [`Look at the container first: docker ps -a --filter name=${names.memory}, then docker inspect ${names.memory}.`],
    },
    cheats: [
      {
        name: 'recreates the container with no memory limit',
        apply: (ctx) => recreate(ctx, names.memory, ['--shm-size', '256m'], cacheCommand),
      },
      {
        name: 'sets an 8 GiB limit',
        apply: (ctx) => recreate(ctx, names.memory, ['--memory', '8g', '--memory-swap', '8g', '--shm-size', '256m'], cacheCommand),
      },
    ],
    async solve({ shell }) {
      await shell.run('docker', ['update', '--memory', '160m', '--memory-swap', '160m', names.memory]);
      await shell.run('docker', ['start', names.memory]);
    },
  },
  {
    id: 'cpu-throttling',
    title: 'CPU quota and CFS throttling',
    target: 'docker',
    goal:
      `The worker ${names.cpu} runs slowly. Read its cgroup's cpu.stat (docker exec ${names.cpu} cat ` +
      `/sys/fs/cgroup/cpu.stat on cgroup v2, /sys/fs/cgroup/cpu/cpu.stat on v1) twice, a few seconds ` +
      `apart, and work out what share of CFS periods is throttled. Then change its CPU limit so that ` +
      `fewer than 10% of periods are throttled. Keep a limit, of at most 2 CPUs.`,
    async setup(ctx) {
      await recreate(ctx, names.cpu, ['--cpus', '0.2'], workerCommand);
      await waitFor(async () => {
        const c = await ctx.docker.inspect(names.cpu);
        if (!c?.State.Running) return false;
        return (parseStatFile(await ctx.docker.readCgroup(names.cpu, cpuStatFiles)).nr_throttled ?? 0) > 0;
      }, `${names.cpu} to be throttled`);
    },
    async symptom({ docker }) {
      const stat = parseStatFile(await docker.readCgroup(names.cpu, cpuStatFiles));
      return (stat.nr_throttled ?? 0) > 0
        ? pass(`cpu.stat shows nr_throttled=${stat.nr_throttled} of nr_periods=${stat.nr_periods}`)
        : fail('no-symptom', 'cpu.stat shows no throttled periods yet');
    },
    check: (ctx) => checkCpuThrottling(ctx),
    expected: { failsWith: 'throttled' },
    hints: {
      throttled: [
        'nr_throttled counts the 100 ms periods in which the group used up its quota. Divide the increase in nr_throttled by the increase in nr_periods.',
        `docker inspect --format '{{.HostConfig.NanoCpus}}' ${names.cpu} shows the limit in billionths of a CPU: 200000000 is 0.2 CPU, a quota of 20 ms per 100 ms period.`,
        `docker update --cpus changes the quota of a running container. A single-threaded worker cannot use more than 1 CPU.`,
      ],
      'no-cpu-limit': ['Removing the limit hides the symptom and removes the protection. Set a limit that fits instead (docker update --cpus).'],
      default: [`Start by reading the counters: docker exec ${names.cpu} cat /sys/fs/cgroup/cpu.stat (or /sys/fs/cgroup/cpu/cpu.stat on cgroup v1).`],
    },
    cheats: [
      { name: 'recreates the worker with no CPU limit', apply: (ctx) => recreate(ctx, names.cpu, [], workerCommand) },
      { name: 'raises the limit only to 0.25 CPU', apply: async ({ shell }) => void (await shell.run('docker', ['update', '--cpus', '0.25', names.cpu])) },
    ],
    async solve({ shell }) {
      await shell.run('docker', ['update', '--cpus', '1', names.cpu]);
    },
  },
  {
    id: 'right-size',
    title: 'Right-size a container from what it uses',
    target: 'docker',
    goal:
      `${names.web} reserves 1 GiB of memory. Measure what it really uses (docker stats --no-stream ` +
      `${names.web}), then set its memory limit to between 1.25x and 3x of that, without restarting it.`,
    async setup(ctx) {
      await recreate(ctx, names.web, ['--memory', '1g', '--memory-swap', '1g', '--shm-size', '128m'], webCommand);
      await waitFor(async () => (await ctx.docker.inspect(names.web))?.State.Running === true, `${names.web} to run`);
    },
    check: checkRightSize,
    expected: { failsWith: 'oversized' },
    hints: {
      oversized: [
        `docker stats --no-stream ${names.web} shows MEM USAGE / LIMIT. The usage is what to size from.`,
        `docker update --memory <size> --memory-swap <size> ${names.web} changes the limit of the running container.`,
      ],
      'too-tight': ['Leave headroom: a limit right at current usage turns the next allocation into an OOM kill.'],
      default: [`Measure first: docker stats --no-stream ${names.web}.`],
    },
    cheats: [
      { name: 'lowers the limit only to 512 MiB', apply: async ({ shell }) => void (await shell.run('docker', ['update', '--memory', '512m', '--memory-swap', '512m', names.web])) },
      { name: 'sets the limit right at current usage', apply: async ({ shell }) => void (await shell.run('docker', ['update', '--memory', '46m', '--memory-swap', '46m', names.web])) },
    ],
    async solve({ shell }) {
      await shell.run('docker', ['update', '--memory', '64m', '--memory-swap', '64m', names.web]);
    },
  },
];
