// Scenario 4, Docker part: the ledger acknowledges a booking only once it is on disk, and every
// booking now takes hundreds of milliseconds. CPU and memory are idle; the container's block I/O
// is capped on the device that backs its volume. The learner reads the evidence (docker stats,
// the container's blkio or io cgroup files, HostConfig), names the setting, then lifts or
// raises the cap. The check measures commits through the published port, and requires the
// journal to stay on its named volume.
import { fileURLToPath } from 'node:url';
import { buildAppImage } from '../lib/app-image.ts';
import type { ContainerInspect, DockerClient } from '../lib/docker.ts';
import { labLabel, recreateContainer } from '../lib/docker.ts';
import { defineDiagnosis } from '../lib/diagnose.ts';
import { imageRef } from '../lib/images.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { EnvironmentError, fail, pass, pollWhileTransient, type CheckResult } from '../lib/result.ts';
import { waitUntil } from '../lib/wait.ts';

export const labId = 'scenario-4-slow-ledger-writes';
export const names = { ledger: 'm9-s4-ledger', journal: 'm9-s4-ledger-journal' } as const;
export const journalDir = '/var/lib/ledger';

/** What a booking must cost at most: the median commit, measured by the client. */
export const medianBudgetMs = 50;
/** The setup's cap, and the commit time that shows it (each commit needs several writes). */
export const cappedIops = 10;
export const symptomMedianMs = 150;

interface ThrottleDevice {
  Path: string;
  Rate: number;
}

export type Inspect = ContainerInspect & {
  Config: ContainerInspect['Config'] & { Env: string[] | null };
  HostConfig: ContainerInspect['HostConfig'] & {
    BlkioDeviceReadBps: ThrottleDevice[] | null;
    BlkioDeviceWriteBps: ThrottleDevice[] | null;
    BlkioDeviceReadIOps: ThrottleDevice[] | null;
    BlkioDeviceWriteIOps: ThrottleDevice[] | null;
    Tmpfs?: Record<string, string> | null;
  };
  Mounts: { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }[];
  NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null };
};

const inspect = async (docker: DockerClient) => (await docker.inspect(names.ledger)) as Inspect | null;

/** The accepted answers: the write caps set on the ledger, by every name the evidence shows them. */
export function diagnoseTruth(c: Inspect | null): string[] {
  if (!c) return [];
  const answers: string[] = [];
  if (c.HostConfig.BlkioDeviceWriteIOps?.length) {
    answers.push('--device-write-iops', 'device-write-iops', 'BlkioDeviceWriteIOps', 'blkio.throttle.write_iops_device', 'wiops', 'write iops');
  }
  if (c.HostConfig.BlkioDeviceWriteBps?.length) {
    answers.push('--device-write-bps', 'device-write-bps', 'BlkioDeviceWriteBps', 'blkio.throttle.write_bps_device', 'wbps', 'write bps');
  }
  return answers;
}

const envOf = (c: Inspect, key: string) => (c.Config.Env ?? []).find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1);

/** Where the ledger keeps its journal, and what is mounted there. */
export function journalMount(c: Inspect): { dir: string; mount: Inspect['Mounts'][number] | undefined } {
  const dir = (envOf(c, 'LEDGER_DIR') ?? journalDir).replace(/\/+$/, '');
  return { dir, mount: c.Mounts.find((m) => m.Destination.replace(/\/+$/, '') === dir) };
}

/** Everything the check reads from `docker inspect`, before it sends a booking. */
export function judgeContainer(c: Inspect | null): CheckResult | null {
  if (!c) return fail('container-missing', `There is no container ${names.ledger}. The payment service needs its ledger; to start over: npm run lab -- start ${labId} --from speed-up-commits`);
  if (!c.State.Running) return fail('not-running', `${names.ledger} is ${c.State.Status} (exit code ${c.State.ExitCode}). Look at its log: docker logs ${names.ledger}`);
  const { dir, mount } = journalMount(c);
  if (!mount || mount.Type !== 'volume' || mount.Name !== names.journal || !mount.RW) {
    const tmpfs = Object.keys(c.HostConfig.Tmpfs ?? {}).some((d) => d.replace(/\/+$/, '') === dir);
    const what = mount
      ? `a ${mount.Type}${mount.Name ? ` (${mount.Name})` : ''}${mount.RW ? '' : ', read-only'}`
      : tmpfs ? 'a tmpfs (memory)' : 'nothing (the container\'s own writable layer)';
    return fail('journal-not-on-volume', `${names.ledger} keeps its journal in ${dir}, where ${what} is mounted. The journal must stay on the named volume ${names.journal}, writable: it is what survives the container.`);
  }
  return null;
}

export function ledgerUrl(c: Inspect): string | null {
  const binding = c.NetworkSettings.Ports?.['8080/tcp']?.find((b) => b.HostPort);
  if (!binding) return null;
  const host = binding.HostIp && binding.HostIp !== '0.0.0.0' && binding.HostIp !== '::' ? binding.HostIp : '127.0.0.1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${binding.HostPort}`;
}

export type Post = (url: string) => Promise<{ status: number; ms: number }>;

export const postBooking: Post = async (url) => {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', body: JSON.stringify({ booking: 'lab check', amount: 1 }), signal: AbortSignal.timeout(15_000) });
  await response.text();
  return { status: response.status, ms: performance.now() - started };
};

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Sends bookings one after another, as the payment service does: up to `count`, or fewer when
 * `budgetMs` runs out (a capped ledger is slow), but at least `minimum`.
 */
export async function measureCommits(url: string, post: Post, { count = 20, minimum = 5, budgetMs = 8000 } = {}): Promise<number[] | string> {
  const times: number[] = [];
  const started = performance.now();
  while (times.length < count && (times.length < minimum || performance.now() - started < budgetMs)) {
    let answer;
    try {
      answer = await post(`${url}/entries`);
    } catch (cause) {
      return (cause as Error & { cause?: Error }).cause?.message ?? (cause as Error).message;
    }
    if (answer.status !== 201) return `the ledger answered ${answer.status}`;
    times.push(answer.ms);
  }
  return times;
}

export function judgeCommits(times: number[] | string): CheckResult {
  if (typeof times === 'string') return fail('starting', `POST /entries got no acknowledgement (${times}); the ledger may still be starting.`);
  const m = Math.round(median(times));
  const worst = Math.round(Math.max(...times));
  if (m >= medianBudgetMs) {
    return fail(
      'slow-commits',
      `${times.length} bookings took a median of ${m} ms to commit (slowest ${worst} ms); the payment service needs under ${medianBudgetMs} ms. ` +
        `Find what the ledger waits for: compare its CPU and memory use with its block I/O (docker stats), and read the limits its cgroup applies.`,
    );
  }
  return pass(`${times.length} bookings committed to ${names.journal} with a median of ${m} ms (slowest ${worst} ms), under the ${medianBudgetMs} ms budget`);
}

export async function checkLedger({ docker }: Pick<StepContext, 'docker'>, post: Post = postBooking, timeoutMs = 20_000): Promise<CheckResult> {
  return pollWhileTransient(async () => {
    const c = await inspect(docker);
    const problem = judgeContainer(c);
    if (problem) return problem;
    const url = ledgerUrl(c!);
    if (!url) return fail('not-published', `${names.ledger} does not publish its port 8080/tcp. The payment service reaches it there: publish it on 127.0.0.1.`);
    return judgeCommits(await measureCommits(url, post));
  }, ['starting'], { timeoutMs, intervalMs: 1000 });
}

// --- setup --------------------------------------------------------------------------------

/**
 * Prepares the volume for the ledger (owned by its user, 1000) and finds the block device that
 * backs it, as the daemon's host names it: the whole disk when the filesystem is on a partition.
 * volumeDevice throws when the volume is on no block device (e.g. tmpfs).
 */
export const deviceScript = [
  `chown 1000:1000 /data`,
  `set -- $(grep ' /data ' /proc/self/mountinfo)`,
  `p=$(readlink -f /sys/dev/block/$3) || exit 3`,
  `[ -e "$p/partition" ] && p=$(dirname "$p")`,
  `echo "/dev/$(basename "$p") $3"`,
].join('\n');

export async function volumeDevice(ctx: Pick<StepContext, 'shell'>): Promise<string> {
  const result = await ctx.shell.tryRun('docker', ['run', '--rm', '--label', `${labLabel}=${labId}`, '-v', `${names.journal}:/data`, imageRef('busybox'), 'sh', '-c', deviceScript]);
  const device = result.stdout.trim().split(/\s+/)[0];
  if (result.exitCode !== 0 || !device?.startsWith('/dev/')) {
    throw new EnvironmentError(
      `Could not find the block device behind the volume ${names.journal} (${(result.stderr || result.stdout).trim() || `exit ${result.exitCode}`}). This scenario needs Docker's volumes on a disk.`,
      'Check where Docker keeps its data: docker info --format "{{.DockerRootDir}}", then df on that directory.',
    );
  }
  return device;
}

export const ledgerEntry = () => fileURLToPath(new URL('services/ledger.ts', import.meta.url));

/** The ledger as the platform runs it: with its quotas, and this morning's cap on the disk. */
export function ledgerOptions(device: string): string[] {
  return [
    '-v', `${names.journal}:${journalDir}`,
    '-p', '127.0.0.1::8080',
    '--cpus', '1',
    '--memory', '256m',
    '--device-read-bps', `${device}:200mb`,
    '--device-write-iops', `${device}:${cappedIops}`,
  ];
}

export async function setupLedger(ctx: StepContext): Promise<void> {
  const image = await buildAppImage(ctx, { name: 'ledger', entry: ledgerEntry() });
  await ctx.docker.removeContainer(names.ledger);
  if ((await ctx.shell.tryRun('docker', ['volume', 'inspect', names.journal], { quiet: true })).exitCode === 0) {
    await ctx.shell.run('docker', ['volume', 'rm', names.journal]);
  }
  await ctx.shell.run('docker', ['volume', 'create', '--label', `${labLabel}=${labId}`, names.journal]);
  const device = await volumeDevice(ctx);
  const run = await ctx.shell.run('docker', ['run', '-d', '--name', names.ledger, '--label', `${labLabel}=${labId}`, ...ledgerOptions(device), image]);
  if (/discarded/i.test(run.stderr)) {
    throw new EnvironmentError(
      `Docker did not apply the block I/O limits this scenario starts from: ${run.stderr.trim()}`,
      'This scenario needs the kernel\'s blkio (cgroup v1) or io (cgroup v2) controller available to Docker; check docker info for warnings.',
    );
  }
  await waitUntil(async () => (await ledgerSymptom(ctx)).status === 'pass', `bookings on ${names.ledger} to take over ${symptomMedianMs} ms`, { timeoutMs: 90_000, intervalMs: 1000 });
}

/** What the page shows: bookings take well over 100 ms, while the ledger's CPU is nearly idle. */
export async function ledgerSymptom(ctx: Pick<StepContext, 'docker'>, post: Post = postBooking): Promise<CheckResult> {
  const c = await inspect(ctx.docker);
  const url = c && ledgerUrl(c);
  if (!url) return fail('no-symptom', `${names.ledger} is not running with a published port`);
  const times = await measureCommits(url, post, { count: 5, minimum: 5, budgetMs: 0 });
  if (typeof times === 'string') return fail('no-symptom', `no acknowledgement yet (${times})`);
  const m = Math.round(median(times));
  return m > symptomMedianMs ? pass(`5 bookings took a median of ${m} ms to commit`) : fail('no-symptom', `bookings take a median of ${m} ms, expected over ${symptomMedianMs} ms`);
}

async function recreateWith(ctx: StepContext, options: string[]): Promise<void> {
  const image = (await inspect(ctx.docker))?.Config.Image ?? (await buildAppImage(ctx, { name: 'ledger', entry: ledgerEntry() }));
  await recreateContainer(ctx, names.ledger, options, [], image);
}

const cause = ['iops', 'bps', 'blkio', 'throttl', 'limit'];
const shown = [names.ledger, names.journal, 'ledger', labId, `module9/${labId}-ledger:local`];

export const dockerSteps: Step[] = [
  defineDiagnosis({
    id: 'what-slows-commits',
    title: 'Bookings take hundreds of milliseconds: what holds the ledger back?',
    target: 'docker',
    question: `Every booking takes hundreds of milliseconds to commit. Which setting of ${names.ledger} holds it back? Answer with the docker run option (or the HostConfig field) that sets it.`,
    setup: setupLedger,
    symptom: (ctx) => ledgerSymptom(ctx),
    truth: async (ctx) => diagnoseTruth(await inspect(ctx.docker)),
    wrongAnswers: ['--cpus', '--memory', '--device-read-bps'],
    hints: {
      'wrong-answer': [
        `docker stats --no-stream ${names.ledger}: is the ledger busy on CPU, short of memory, or waiting? Each commit writes to the journal and waits for the disk (fdatasync).`,
        `docker inspect ${names.ledger} lists every limit under HostConfig. Which of them applies to what a commit does: reading, or writing?`,
      ],
      default: [`Measure a booking first: curl -s -o /dev/null -w '%{time_total}\\n' -X POST http://$(docker port ${names.ledger} 8080/tcp)/entries`],
    },
    conceal: { causeWords: cause, names: shown },
  }),
  {
    id: 'speed-up-commits',
    title: 'Bring booking commits under 50 ms',
    target: 'docker',
    goal:
      `Make bookings on ${names.ledger} commit in under ${medianBudgetMs} ms (median, measured through its published port), ` +
      `with the journal still on the named volume ${names.journal} and every commit still on disk. Recreating the container ` +
      `is fine: keep its name, its label (${labLabel}=${labId}), its volume and a published port on 127.0.0.1.`,
    setup: setupLedger,
    symptom: (ctx) => ledgerSymptom(ctx),
    check: (ctx) => checkLedger(ctx),
    expected: { failsWith: 'slow-commits' },
    hints: {
      'slow-commits': [
        `docker update cannot change the per-device limits (it changes --blkio-weight, CPU, memory and the restart policy), so the container has to be recreated.`,
        `Recreate it with the same name, label, volume and port, without the write limit on the disk, or with one high enough for the ledger (it needs a few writes per booking).`,
      ],
      'journal-not-on-volume': [`A tmpfs or another directory is fast because it is memory, and it is gone when the container goes: the bookings would be lost. Keep ${journalDir} on ${names.journal}.`],
      default: [`docker inspect --format '{{json .HostConfig}}' ${names.ledger} shows how the container was created.`],
    },
    cheats: [
      {
        name: 'gives the ledger more CPU and memory',
        apply: async (ctx) => recreateWith(ctx, ledgerOptions(await volumeDevice(ctx)).map((o) => (o === '1' ? '2' : o === '256m' ? '1g' : o))),
      },
      {
        name: 'puts the journal on a tmpfs',
        apply: async (ctx) => recreateWith(ctx, ['--tmpfs', `${journalDir}:uid=1000,gid=1000`, ...ledgerOptions(await volumeDevice(ctx)).slice(2)]),
      },
      {
        name: 'moves the journal to /dev/shm',
        apply: async (ctx) => recreateWith(ctx, ['-e', 'LEDGER_DIR=/dev/shm', ...ledgerOptions(await volumeDevice(ctx))]),
      },
      { name: 'stops the ledger', apply: (ctx) => ctx.shell.run('docker', ['stop', names.ledger]).then(() => undefined) },
      { name: 'removes the ledger', apply: (ctx) => ctx.docker.removeContainer(names.ledger) },
    ],
    async solve(ctx) {
      await recreateWith(ctx, ['-v', `${names.journal}:${journalDir}`, '-p', '127.0.0.1::8080', '--cpus', '1', '--memory', '256m']);
    },
    conceal: { causeWords: cause, names: shown, files: ['services/ledger.ts'] },
  },
];
