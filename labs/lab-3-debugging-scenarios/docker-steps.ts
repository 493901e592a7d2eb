// Lab 3, Docker part: four faults to debug from the evidence Docker keeps: a crash loop whose
// last log lines point the wrong way, a worker that hits its pids limit, a published port that
// answers nothing, and a name that does not resolve on the default bridge. Checks look at the
// outcome (the service runs and answers, the name resolves through Docker's DNS), never at the
// commands the learner typed.
import type { ContainerInspect, DockerClient } from '../lib/docker.ts';
import { labLabel, recreateContainer as recreate } from '../lib/docker.ts';
import { imageRef } from '../lib/images.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import type { Shell } from '../lib/shell.ts';
import { fail, pass, pollWhileTransient, type CheckResult } from '../lib/result.ts';
import { sleep, waitUntil as waitFor } from '../lib/wait.ts';
import { scenario, spellings } from './scenario.ts';

export const labId = 'lab-3-debugging-scenarios';
export const names = {
  orders: 'm9-lab3-orders',
  worker: 'm9-lab3-worker',
  web: 'm9-lab3-web',
  api: 'm9-lab3-api',
  client: 'm9-lab3-client',
  network: 'm9-lab3-net',
};

/** The fields of `docker inspect` these checks read, beyond the shared ones. */
export type Inspect = ContainerInspect & {
  State: ContainerInspect['State'] & { Restarting: boolean };
  Config: ContainerInspect['Config'] & { Env: string[] | null };
  HostConfig: ContainerInspect['HostConfig'] & {
    PidsLimit: number | null;
    NetworkMode: string;
    RestartPolicy: { Name: string; MaximumRetryCount: number };
  };
  NetworkSettings: {
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
    Networks: Record<string, unknown> | null;
  };
};

type Look = Pick<StepContext, 'docker' | 'shell'>;

const inspect = async (docker: DockerClient, name: string) => (await docker.inspect(name)) as Inspect | null;

/**
 * The orders service. Its configuration profile comes from APP_MODE; without one it falls back
 * to built-in defaults, whose database host (db:5432) does not exist, and its retry wrapper
 * prints three connection errors before it gives up. The last lines are about the database; the
 * cause is the first warning.
 */
export const ordersCommand = [
  'sh',
  '-c',
  [
    'echo "orders: starting orders-service 2.4.1"',
    'case "$APP_MODE" in',
    '  production|staging) echo "orders: loaded profile $APP_MODE";;',
    '  *) echo "orders: WARN APP_MODE is not set (want production or staging), using built-in defaults"',
    '     for i in 1 2 3; do echo "orders: ERROR cannot connect to database at db:5432 (attempt $i of 3)"; done',
    '     echo "orders: FATAL giving up after 3 attempts"; exit 1;;',
    'esac',
    'echo "ready $APP_MODE" > /tmp/ready',
    'echo "orders: ready, serving in $APP_MODE mode"',
    'exec sleep 86400',
  ].join('\n'),
];

/**
 * A worker that runs batches of 12 parallel tasks. The main loop forks only the batch shell
 * (its pause is `read -t` on a FIFO, a builtin), so a failed fork ends the batch, not the worker;
 * it records each batch's outcome in /tmp/status.
 */
export const workerCommand = [
  'sh',
  '-c',
  [
    'mkfifo /tmp/tick',
    'n=0',
    'while :; do',
    '  n=$((n+1))',
    "  if sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 1 & done; wait'; then",
    '    echo "ok: batch $n ran 12 tasks" > /tmp/status',
    '  else',
    '    echo "error: batch $n could not start its 12 tasks" > /tmp/status; echo "worker: batch $n failed"',
    '  fi',
    '  read -t 2 x <> /tmp/tick',
    'done',
  ].join('\n'),
];

export const webBody = 'm9-lab3-web ok';
export const apiBody = 'm9-lab3-api ok';
/** busybox httpd serving one page, listening on `listen`. */
export const httpdCommand = (body: string, listen: string) => ['sh', '-c', `mkdir -p /www && echo "${body}" > /www/index.html && exec httpd -f -p ${listen} -h /www`];
/** A plain HTTP/1.0 GET with busybox nc (the busybox wget of some builds crashes on this). */
export const httpGet = (host: string) => `printf 'GET / HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n' | nc -w 3 ${host} 8080`;
export const clientCommand = [
  'sh',
  '-c',
  `while :; do if ${httpGet(names.api)} | grep -q '${apiBody}'; then echo "client: ${names.api} answered"; else echo "client: request to http://${names.api}:8080/ failed"; fi; sleep 3; done`,
];

const env = (c: Inspect, key: string) => (c.Config.Env ?? []).find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1);
const secondsRunning = (c: Inspect) => (Date.now() - Date.parse(c.State.StartedAt)) / 1000;

/** Runs a command in a container; a failed exec is retried, because a full pids cgroup refuses it for a moment. */
async function execIn(shell: Shell, container: string, command: string[], attempts = 1): Promise<{ ok: boolean; out: string }> {
  for (let attempt = 1; ; attempt += 1) {
    const r = await shell.tryRun('docker', ['exec', container, ...command], { quiet: true, timeoutSeconds: 15 });
    if (r.exitCode === 0 || attempt >= attempts) return { ok: r.exitCode === 0, out: r.stdout + r.stderr };
    await sleep(500);
  }
}

function missing(name: string, step: string): CheckResult {
  return fail('container-missing', `There is no container ${name}. If you removed it, set the step up again: npm run lab -- start ${labId} --from ${step}`);
}

// --- 1. crash loop -------------------------------------------------------------------------

function crashLoopState(c: Inspect): CheckResult | null {
  if (c.State.Restarting || !c.State.Running) {
    return fail(
      'crash-looping',
      `${names.orders} is ${c.State.Status}: it exited with code ${c.State.ExitCode} and Docker has restarted it ${c.RestartCount} times. ` +
        `The last log lines are not the whole story: read a whole run of its log (docker logs) and compare it with the configuration it was started with (Config.Env in docker inspect).`,
    );
  }
  return null;
}

export async function checkCrashLoop({ docker, shell }: Look, window = 5, timeoutMs = 15_000): Promise<CheckResult> {
  return pollWhileTransient(async () => {
    const c = await inspect(docker, names.orders);
    if (!c) return missing(names.orders, 'crash-loop-misleading-log');
    if (!['always', 'unless-stopped', 'on-failure'].includes(c.HostConfig.RestartPolicy.Name)) {
      return fail(
        'no-restart-policy',
        `${names.orders} has the restart policy "${c.HostConfig.RestartPolicy.Name || 'no'}". Without one, a crash leaves the service down and the loop is hidden, not fixed. Keep the restart policy it had (HostConfig.RestartPolicy).`,
      );
    }
    const looping = crashLoopState(c);
    if (looping) return looping;
    // Watch it for a while: a crash loop shows as a rising RestartCount or a new StartedAt.
    await sleep(window * 1000);
    const later = await inspect(docker, names.orders);
    if (!later) return missing(names.orders, 'crash-loop-misleading-log');
    const loopingLater = crashLoopState(later);
    if (loopingLater) return loopingLater;
    if (later.RestartCount !== c.RestartCount || later.State.StartedAt !== c.State.StartedAt) {
      return fail('crash-looping', `${names.orders} restarted while being watched (RestartCount ${c.RestartCount} -> ${later.RestartCount}). Read a whole run of its log (docker logs).`);
    }
    const mode = env(later, 'APP_MODE');
    const ready = await execIn(shell, names.orders, ['cat', '/tmp/ready']);
    if (!ready.ok) {
      if (secondsRunning(later) < 10) return fail('starting', `${names.orders} started ${Math.round(secondsRunning(later))} s ago and has not reported ready yet.`);
      return fail('not-ready', `${names.orders} runs, but the orders service in it never reported ready (no /tmp/ready). Is the container still running the service's own command (Config.Cmd)?`);
    }
    if (mode !== 'production') {
      return fail('wrong-mode', `${names.orders} runs with APP_MODE=${mode ?? '(unset)'}, but this is the production service: it must run with the production profile (Config.Env).`);
    }
    return pass(`${names.orders} has run for ${Math.round(secondsRunning(later))} s with APP_MODE=production, RestartCount stable at ${later.RestartCount}, and reports "${ready.out.trim()}".`);
  }, ['starting'], { timeoutMs });
}

// --- 2. pids limit ---------------------------------------------------------------------------

export const pidsFiles = { v2: 'pids.max', v1: 'pids/pids.max' };

export async function checkPidsLimit({ docker, shell }: Look, timeoutMs = 8_000): Promise<CheckResult> {
  return pollWhileTransient(async () => {
    const c = await inspect(docker, names.worker);
    if (!c) return missing(names.worker, 'worker-batches-fail');
    if (!c.State.Running) return fail('not-running', `${names.worker} is ${c.State.Status} (exit code ${c.State.ExitCode}). Start it again once its settings are right.`);
    const limit = c.HostConfig.PidsLimit ?? 0;
    if (limit <= 0) {
      return fail('no-pids-limit', `${names.worker} runs with no pids limit (HostConfig.PidsLimit), so a fork bomb in it could exhaust the host's process table. Keep a limit that fits what it needs.`);
    }
    const status = await execIn(shell, names.worker, ['cat', '/tmp/status'], 5);
    const line = status.ok ? status.out.trim() : '';
    if (line.startsWith('ok')) return pass(`${names.worker} reports "${line}" under a pids limit of ${limit}.`);
    return fail(
      'fork-failing',
      `${names.worker} cannot start its tasks: its status file says "${line || '(nothing readable yet)'}" and its log shows "can't fork". ` +
        `Its pids limit is ${limit}: compare the cgroup's pids.current with pids.max while a batch runs.`,
    );
  }, ['fork-failing'], { timeoutMs });
}

// --- 3. published port -----------------------------------------------------------------------

export type HttpGet = (url: string) => Promise<{ status: number; body: string }>;

export const fetchGet: HttpGet = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return { status: response.status, body: await response.text() };
};

export async function checkPublishedPort({ docker }: Pick<StepContext, 'docker'>, get: HttpGet = fetchGet, timeoutMs = 5_000): Promise<CheckResult> {
  return pollWhileTransient(async () => {
    const c = await inspect(docker, names.web);
    if (!c) return missing(names.web, 'published-port-unreachable');
    if (!c.State.Running) return fail('not-running', `${names.web} is ${c.State.Status} (exit code ${c.State.ExitCode}). Look at its log (docker logs).`);
    if (c.HostConfig.NetworkMode === 'host') {
      return fail(
        'host-network',
        `${names.web} shares the host's network (HostConfig.NetworkMode is host): it publishes nothing and takes the host's ports. The service must stay on a bridge network and be reached through a published port.`,
      );
    }
    const binding = c.NetworkSettings.Ports?.['8080/tcp']?.find((b) => b.HostPort);
    if (!binding) return fail('not-published', `${names.web} does not publish its port 8080/tcp on the host (NetworkSettings.Ports). Publish it on 127.0.0.1.`);
    const host = binding.HostIp && binding.HostIp !== '0.0.0.0' && binding.HostIp !== '::' ? binding.HostIp : '127.0.0.1';
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${binding.HostPort}/`;
    let response;
    try {
      response = await get(url);
    } catch (cause) {
      const why = ((cause as Error).cause as Error | undefined)?.message ?? (cause as Error).message;
      return fail(
        'no-response',
        `${names.web} runs and publishes 8080/tcp on ${host}:${binding.HostPort}, but GET ${url} got no HTTP answer (${why}). ` +
          `Docker forwards to the container's address on its network: look at which address the server listens on inside the container.`,
      );
    }
    if (response.status !== 200 || !response.body.includes(webBody)) {
      return fail('wrong-response', `GET ${url} answered ${response.status} with "${response.body.trim().slice(0, 80)}", not the page of ${names.web}.`);
    }
    return pass(`GET ${url} answered 200 with "${response.body.trim()}" through the published port.`);
  }, ['no-response'], { timeoutMs });
}

// --- 4. name resolution ----------------------------------------------------------------------

export async function checkNameResolution({ docker, shell }: Look, timeoutMs = 5_000): Promise<CheckResult> {
  return pollWhileTransient(async () => {
    for (const name of [names.api, names.client]) {
      const c = await inspect(docker, name);
      if (!c) return missing(name, 'name-does-not-resolve');
      if (!c.State.Running) return fail('not-running', `${name} is ${c.State.Status} (exit code ${c.State.ExitCode}). Look at its log (docker logs).`);
    }
    // nslookup asks the DNS server in /etc/resolv.conf and ignores /etc/hosts, so a hard-coded
    // hosts entry (--add-host, or a legacy --link) does not count as resolving the name.
    const lookup = await execIn(shell, names.client, ['nslookup', names.api]);
    if (!lookup.ok) {
      const hosts = await execIn(shell, names.client, ['cat', '/etc/hosts']);
      if (new RegExp(`\\s${names.api}(\\s|$)`, 'm').test(hosts.out)) {
        return fail(
          'hosts-file-only',
          `${names.client} finds ${names.api} only in its own /etc/hosts, a fixed address written when the container was created (--add-host or --link), and DNS does not know the name. ` +
            `That entry goes stale when ${names.api} is recreated. Look at which networks the two containers share (docker inspect, NetworkSettings.Networks).`,
        );
      }
      return fail(
        'name-not-resolved',
        `DNS in ${names.client} cannot resolve ${names.api} (nslookup: ${lookup.out.trim().split('\n').at(-1) ?? 'no answer'}). ` +
          `Look at which networks the two containers are on (docker inspect, NetworkSettings.Networks) and at the client's /etc/resolv.conf.`,
      );
    }
    const answer = await execIn(shell, names.client, ['sh', '-c', httpGet(names.api)]);
    if (!answer.out.includes(apiBody)) {
      return fail('no-response', `${names.api} resolves from ${names.client}, but GET http://${names.api}:8080/ did not return its page (${answer.out.trim().split('\n').at(-1) ?? 'no answer'}).`);
    }
    return pass(`${names.client} resolves ${names.api} through Docker's DNS and GET http://${names.api}:8080/ returns "${apiBody}".`);
  }, ['no-response'], { timeoutMs });
}

// --- setup helpers ---------------------------------------------------------------------------

const logsOf = async (shell: Shell, name: string) => {
  const r = await shell.tryRun('docker', ['logs', name], { quiet: true });
  return r.stdout + r.stderr;
};

async function removeNetwork({ shell }: StepContext, name: string): Promise<void> {
  const r = await shell.tryRun('docker', ['network', 'rm', name]);
  if (r.exitCode !== 0 && !/No such network|not found/i.test(r.stderr)) throw new Error(`docker network rm ${name}: ${r.stderr.trim()}`);
}

const ordersOptions = ['--restart', 'always'];
const workerOptions = ['--pids-limit', '8'];
const webOptions = ['-p', '127.0.0.1::8080'];

async function setupNameResolution(ctx: StepContext, clientOptions: string[] = []): Promise<void> {
  await ctx.docker.removeContainer(names.client);
  await ctx.docker.removeContainer(names.api);
  await removeNetwork(ctx, names.network);
  await ctx.docker.runDetached(ctx.labId, names.api, [], imageRef('busybox'), httpdCommand(apiBody, '8080'));
  await ctx.docker.runDetached(ctx.labId, names.client, clientOptions, imageRef('busybox'), clientCommand);
}

const fixSteps: Step[] = [
  {
    id: 'crash-loop-misleading-log',
    title: 'Fix: a crash loop with a misleading log',
    target: 'docker',
    conceal: { causeWords: ['app_mode', 'mode', 'environment', 'env', 'profile'], names: [names.orders, 'busybox'] },
    goal:
      `${names.orders} keeps restarting, and its log ends with database connection errors. Find the ` +
      `real cause (docker ps, the whole docker logs, docker inspect: State, RestartCount, Config.Env), ` +
      `then make it run in production mode. Recreating it is fine: keep its name, its label ` +
      `${labLabel}=${labId} and its restart policy.`,
    async setup(ctx) {
      await recreate(ctx, names.orders, ordersOptions, ordersCommand);
      await waitFor(async () => ((await inspect(ctx.docker, names.orders))?.RestartCount ?? 0) >= 2, `${names.orders} to be restarted twice`);
    },
    async symptom({ docker, shell }) {
      // Between two runs Docker resets State.ExitCode to 0; the restart delay keeps the
      // container in "restarting" (exit code 1) most of the time, so look for that.
      let seen = await inspect(docker, names.orders);
      for (let i = 0; i < 30 && seen && seen.State.ExitCode !== 1; i += 1) {
        await sleep(500);
        seen = await inspect(docker, names.orders);
      }
      const c = seen;
      const lastLine = (await logsOf(shell, names.orders)).trim().split('\n').at(-1) ?? '';
      const ok = c && c.RestartCount >= 2 && c.State.ExitCode === 1 && /FATAL giving up/.test(lastLine) && env(c, 'APP_MODE') === undefined;
      return ok
        ? pass(`${names.orders}: RestartCount ${c.RestartCount}, exit code 1, last log line "${lastLine}", no APP_MODE in Config.Env`)
        : fail('no-symptom', `expected a crash loop ending with "FATAL giving up", got RestartCount ${c?.RestartCount}, exit ${c?.State.ExitCode}, last line "${lastLine}"`);
    },
    check: (ctx) => checkCrashLoop(ctx),
    expected: { failsWith: 'crash-looping' },
    hints: {
      'crash-looping': [
        `docker logs --tail 5 ${names.orders} shows only how a run ends. Read one whole run: docker logs ${names.orders} 2>&1 | head -n 6. What does the service warn about before it ever tries the database?`,
        `docker inspect --format '{{json .Config.Env}}' ${names.orders} shows the environment it starts with. Environment variables cannot be changed on an existing container.`,
        `Recreate it with the same name, label and restart policy, and the variable it is missing: docker rm -f ${names.orders}, then docker run -d with --restart always, --label ${labLabel}=${labId} and -e.`,
      ],
      'no-restart-policy': ['Turning restarts off hides the loop; the service still cannot start. Keep --restart always and fix the cause.'],
      'not-ready': ['The container must run the orders service itself, with its original command, not a placeholder such as sleep.'],
      'wrong-mode': ['This is the production service: use the production profile.'],
      default: [`Look at the container first: docker ps -a --filter name=${names.orders}, then docker logs ${names.orders}.`],
    },
    cheats: [
      { name: 'turns the restart policy off (--restart no)', apply: async ({ shell }) => void (await shell.run('docker', ['update', '--restart', 'no', names.orders])) },
      { name: 'replaces the service with sleep', apply: (ctx) => recreate(ctx, names.orders, [...ordersOptions, '-e', 'APP_MODE=production'], ['sleep', '86400']) },
    ],
    async solve(ctx) {
      await recreate(ctx, names.orders, [...ordersOptions, '-e', 'APP_MODE=production'], ordersCommand);
    },
  },
  {
    id: 'worker-batches-fail',
    title: 'Fix: a worker whose batches fail',
    target: 'docker',
    conceal: { causeWords: ['pids', 'pid', 'limit', 'process'], names: [names.worker, 'busybox'] },
    goal:
      `${names.worker} runs batches of 12 parallel tasks, and every batch fails. Find out why (docker logs, ` +
      `its status file /tmp/status, the cgroup's pids.current and pids.max), then let the batches run: ` +
      `give it a pids limit that fits what it needs, and keep a limit.`,
    async setup(ctx) {
      await recreate(ctx, names.worker, workerOptions, workerCommand);
      await waitFor(async () => /can't fork/.test(await logsOf(ctx.shell, names.worker)), `${names.worker} to fail a fork`);
    },
    async symptom({ docker, shell }) {
      const logs = await logsOf(shell, names.worker);
      const file = (await docker.cgroupVersion()) === 2 ? pidsFiles.v2 : pidsFiles.v1;
      const max = (await execIn(shell, names.worker, ['cat', `/sys/fs/cgroup/${file}`], 5)).out.trim();
      return /can't fork: Resource temporarily unavailable/.test(logs) && max === '8'
        ? pass(`the log shows "can't fork: Resource temporarily unavailable" and pids.max is ${max}`)
        : fail('no-symptom', `expected "can't fork" in the log and pids.max 8, got pids.max ${max}`);
    },
    check: (ctx) => checkPidsLimit(ctx),
    expected: { failsWith: 'fork-failing' },
    hints: {
      'fork-failing': [
        `Read the cgroup's counters: docker exec ${names.worker} cat /sys/fs/cgroup/pids.current /sys/fs/cgroup/pids.max (cgroup v2), or /sys/fs/cgroup/pids/pids.current and /sys/fs/cgroup/pids/pids.max (cgroup v1).`,
        `docker inspect --format '{{.HostConfig.PidsLimit}}' ${names.worker} shows the limit Docker set. Each task is a process, and so are the shells that start them.`,
        `docker update --pids-limit changes the limit of a running container. 12 tasks plus two shells need at least 14; leave headroom.`,
      ],
      'no-pids-limit': ['Removing the limit hides the symptom and removes the protection against a fork bomb. Set a limit that fits instead.'],
      default: [`Start with the log: docker logs --tail 5 ${names.worker}.`],
    },
    cheats: [
      { name: 'removes the pids limit', apply: async ({ shell }) => void (await shell.run('docker', ['update', '--pids-limit', '-1', names.worker])) },
      { name: 'raises the limit only to 10', apply: async ({ shell }) => void (await shell.run('docker', ['update', '--pids-limit', '10', names.worker])) },
    ],
    async solve({ shell }) {
      await shell.run('docker', ['update', '--pids-limit', '32', names.worker]);
    },
  },
  {
    id: 'published-port-unreachable',
    title: 'Fix: a published port that answers nothing',
    target: 'docker',
    conceal: { causeWords: ['loopback', '127.0.0.1', 'localhost', 'listen', 'bind'], names: [names.web, 'busybox'] },
    goal:
      `${names.web} runs and publishes port 8080 on 127.0.0.1, yet every request from the host fails. ` +
      `Find out why (docker port, docker exec ${names.web} netstat -ltn), then make GET / through the ` +
      `published port return its page. Keep it on the bridge network, published on 127.0.0.1.`,
    async setup(ctx) {
      await recreate(ctx, names.web, webOptions, httpdCommand(webBody, '127.0.0.1:8080'));
      await waitFor(async () => (await execIn(ctx.shell, names.web, ['netstat', '-ltn'])).out.includes('127.0.0.1:8080'), `${names.web} to listen`);
    },
    async symptom({ docker, shell }) {
      const listening = (await execIn(shell, names.web, ['netstat', '-ltn'])).out;
      const c = await inspect(docker, names.web);
      const port = c?.NetworkSettings.Ports?.['8080/tcp']?.[0];
      const result = await checkPublishedPort({ docker });
      return /127\.0\.0\.1:8080\s+0\.0\.0\.0:\*\s+LISTEN/.test(listening) && port?.HostIp === '127.0.0.1' && result.status === 'fail' && result.code === 'no-response'
        ? pass(`published as 127.0.0.1:${port.HostPort}, netstat shows 127.0.0.1:8080 LISTEN, and a request from the host gets no answer`)
        : fail('no-symptom', `expected a 127.0.0.1:8080 listener and no answer from the host, got ${JSON.stringify(port)} and ${listening.trim()}`);
    },
    check: (ctx) => checkPublishedPort(ctx),
    expected: { failsWith: 'no-response' },
    hints: {
      'no-response': [
        `docker port ${names.web} shows where Docker publishes 8080/tcp on the host. That part works: Docker accepts the connection and forwards it to the container's own IP address on the bridge network.`,
        `docker exec ${names.web} netstat -ltn shows the address the server listens on inside the container. 127.0.0.1 inside a container is the container's own loopback, which forwarded traffic never reaches.`,
        `Recreate ${names.web} with the same -p 127.0.0.1::8080 and label, with httpd listening on all addresses (-p 0.0.0.0:8080, or just -p 8080).`,
      ],
      'host-network': ['--network host bypasses publishing altogether and shares the host\'s ports. Keep the bridge network and fix the listen address.'],
      'not-published': ['Publish the port again with -p 127.0.0.1::8080 (or a fixed host port on 127.0.0.1).'],
      default: [`Look at the mapping first: docker port ${names.web}.`],
    },
    cheats: [
      { name: 'runs it with --network host', apply: (ctx) => recreate(ctx, names.web, ['--network', 'host'], httpdCommand(webBody, '127.0.0.1:8080')) },
    ],
    async solve(ctx) {
      await recreate(ctx, names.web, webOptions, httpdCommand(webBody, '0.0.0.0:8080'));
      await waitFor(async () => (await execIn(ctx.shell, names.web, ['netstat', '-ltn'])).out.includes(':8080'), `${names.web} to listen`);
    },
  },
  {
    id: 'name-does-not-resolve',
    title: 'Fix: a service name that does not resolve',
    target: 'docker',
    conceal: { causeWords: ['bridge', 'default network', 'user-defined', 'embedded dns'], names: [names.api, names.client, names.network, 'busybox'] },
    goal:
      `${names.client} calls http://${names.api}:8080/ and every request fails, although both containers ` +
      `run. Find out why (docker logs ${names.client}, docker exec ${names.client} nslookup ${names.api}, ` +
      `docker inspect NetworkSettings.Networks), then make the name resolve through Docker's DNS: put ` +
      `both on a network you create, labelled ${labLabel}=${labId}, named ${names.network}.`,
    setup: (ctx) => setupNameResolution(ctx),
    async symptom({ shell }) {
      const lookup = await execIn(shell, names.client, ['nslookup', names.api]);
      const resolv = (await execIn(shell, names.client, ['cat', '/etc/resolv.conf'])).out;
      return !lookup.ok && !/127\.0\.0\.11/.test(resolv)
        ? pass(`nslookup ${names.api} fails in ${names.client}, whose resolv.conf does not point at 127.0.0.11`)
        : fail('no-symptom', `expected nslookup to fail on the default bridge, got: ${lookup.out.trim()}`);
    },
    check: (ctx) => checkNameResolution(ctx),
    expected: { failsWith: 'name-not-resolved' },
    hints: {
      'name-not-resolved': [
        `docker inspect --format '{{json .NetworkSettings.Networks}}' ${names.client} shows its networks. Both containers are only on the default bridge network.`,
        `Docker's embedded DNS server (127.0.0.11 in the container's resolv.conf) resolves container names only on user-defined networks; on the default bridge, containers inherit the host's DNS settings.`,
        `Create a network (docker network create --label ${labLabel}=${labId} ${names.network}) and attach both running containers with docker network connect.`,
      ],
      'hosts-file-only': ['A fixed /etc/hosts entry (--add-host, or the legacy --link) breaks when the server gets a new address. Use a user-defined network instead, so Docker\'s DNS answers.'],
      default: [`Try the name yourself: docker exec ${names.client} nslookup ${names.api}.`],
    },
    cheats: [
      { name: 'links the client with the legacy --link', apply: (ctx) => recreate(ctx, names.client, ['--link', names.api], clientCommand) },
      {
        name: "hard-codes the server's address with --add-host",
        apply: async (ctx) => {
          const ip = (await ctx.shell.run('docker', ['inspect', '--format', '{{.NetworkSettings.IPAddress}}', names.api], { quiet: true })).stdout.trim();
          await recreate(ctx, names.client, ['--add-host', `${names.api}:${ip}`], clientCommand);
        },
      },
    ],
    async solve({ shell }) {
      await shell.run('docker', ['network', 'create', '--label', `${labLabel}=${labId}`, names.network]);
      await shell.run('docker', ['network', 'connect', names.network, names.api]);
      await shell.run('docker', ['network', 'connect', names.network, names.client]);
    },
  },
];

// --- diagnoses: the accepted answers come from live state ------------------------------------

/** The variable the orders service warns about, when the container really lacks it. */
export function ordersTruth(c: Inspect | null, logs: string): string[] {
  const variable = /WARN (\w+) is not set/.exec(logs)?.[1];
  if (!c || !variable || env(c, variable) !== undefined) return [];
  return [variable, `${variable} is not set`, `${variable} not set`, `missing ${variable}`, `${variable} environment variable`, `the ${variable} environment variable`, `environment variable ${variable}`];
}

/** The pids limit, when the worker has one and its log shows a failed fork. */
export function workerTruth(c: Inspect | null, logs: string, pidsMax: string): string[] {
  const limit = c?.HostConfig.PidsLimit ?? 0;
  if (limit <= 0 || !/can't fork/.test(logs)) return [];
  const max = pidsMax.trim();
  if (max !== '' && max !== String(limit)) return [];
  return spellings('pids limit', 'pids-limit', '--pids-limit', 'PidsLimit', 'pids.max', 'pids', 'pid limit', 'process limit', `pids limit ${limit}`, `pids limit of ${limit}`, `--pids-limit ${limit}`);
}

/** The address the server listens on for 8080, from `netstat -ltn`, when it is a loopback one. */
export function webTruth(netstat: string): string[] {
  const address = /^tcp6?\s+\d+\s+\d+\s+(\S+):8080\s+\S+\s+LISTEN/m.exec(netstat)?.[1];
  if (!address || !/^(127\.|::1$|\[::1\]$)/.test(address)) return [];
  return [address, `${address}:8080`, 'loopback', 'the loopback address', 'localhost', 'localhost:8080'];
}

/** The networks both containers are on, when that is only the default bridge. */
export function networkTruth(api: Inspect | null, client: Inspect | null): string[] {
  const of = (c: Inspect | null) => Object.keys(c?.NetworkSettings.Networks ?? {});
  const shared = of(api).filter((n) => of(client).includes(n));
  if (!api || !client || shared.length !== 1 || shared[0] !== 'bridge') return [];
  return spellings('bridge', 'default bridge', 'default bridge network', 'bridge network', 'docker0');
}

const [crashLoopFix, workerFix, webFix, nameFix] = fixSteps as [Step, Step, Step, Step];

export const dockerSteps: Step[] = [
  ...scenario(crashLoopFix, {
    question: `What makes ${names.orders} exit? Name the setting it is missing.`,
    truth: async ({ docker, shell }) => ordersTruth(await inspect(docker, names.orders), await logsOf(shell, names.orders)),
    wrongAnswers: ['database', 'db:5432', 'the restart policy'],
    hints: {
      default: [
        `Read one whole run of the log from the top, not only its end: docker logs ${names.orders} 2>&1 | head -n 6.`,
        `Compare what the service warns about with the environment the container was created with: docker inspect --format '{{json .Config.Env}}' ${names.orders}.`,
      ],
    },
  }),
  ...scenario(workerFix, {
    question: `What stops ${names.worker} from starting its tasks? Name the setting.`,
    truth: async ({ docker, shell }) => {
      const file = (await docker.cgroupVersion()) === 2 ? pidsFiles.v2 : pidsFiles.v1;
      const max = await execIn(shell, names.worker, ['cat', `/sys/fs/cgroup/${file}`], 5);
      return workerTruth(await inspect(docker, names.worker), await logsOf(shell, names.worker), max.ok ? max.out : '');
    },
    wrongAnswers: ['memory limit', 'cpu', 'open files'],
    hints: {
      default: [
        `"Resource temporarily unavailable" is EAGAIN. docker stats --no-stream ${names.worker} shows a PIDS column; compare it with what a batch needs.`,
        `Read the container's settings: docker inspect ${names.worker} (HostConfig), and its cgroup's counters under /sys/fs/cgroup.`,
      ],
    },
  }),
  ...scenario(webFix, {
    question: `On which address does the server inside ${names.web} listen for port 8080?`,
    truth: async ({ shell }) => webTruth((await execIn(shell, names.web, ['netstat', '-ltn'])).out),
    wrongAnswers: ['0.0.0.0', '0.0.0.0:8080', 'eth0'],
    hints: {
      default: [
        `docker exec ${names.web} netstat -ltn lists the sockets the server listens on, inside the container's own network namespace.`,
        `On a Linux host you can also enter that namespace from outside: sudo nsenter -t $(docker inspect -f '{{.State.Pid}}' ${names.web}) -n ss -ltn.`,
      ],
    },
  }),
  ...scenario(nameFix, {
    question: `Which network are ${names.api} and ${names.client} both on?`,
    truth: async ({ docker }) => networkTruth(await inspect(docker, names.api), await inspect(docker, names.client)),
    wrongAnswers: ['host', 'none', names.network],
    hints: {
      default: [
        `docker inspect --format '{{json .NetworkSettings.Networks}}' ${names.client} lists the networks by name.`,
        `docker network ls shows every network; the ones Docker creates itself are bridge, host and none.`,
      ],
    },
  }),
];
