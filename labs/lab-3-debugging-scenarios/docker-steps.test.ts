// Check logic on real output: `docker inspect` captured on Docker Engine 20.10 (cgroup v1) from
// the lab's own containers, trimmed to the fields the checks read, and the text that
// `docker logs`, `nslookup`, `cat /etc/hosts` and `nc` printed in them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DockerClient } from '../lib/docker.ts';
import type { CommandResult, Shell } from '../lib/shell.ts';
import { apiBody, checkCrashLoop, checkNameResolution, checkPidsLimit, checkPublishedPort, dockerSteps, names, networkTruth, ordersTruth, webBody, webTruth, workerTruth, type Inspect } from './docker-steps.ts';

const text = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const fixture = (name: string) => (JSON.parse(text(name)) as Inspect[])[0]!;
const longAgo = new Date(Date.now() - 60_000).toISOString();

function fakeDocker(containers: Record<string, Inspect | (() => Inspect) | null>): DockerClient {
  return {
    inspect: async (name: string) => {
      const c = containers[name];
      return typeof c === 'function' ? c() : (c ?? null);
    },
  } as unknown as DockerClient;
}

/** Answers `docker exec <container> <command...>` from a table keyed by the command's words. */
function fakeShell(answers: Record<string, { exitCode: number; out: string }>): Shell {
  const tryRun = async (command: string, args: string[]): Promise<CommandResult> => {
    const key = args.slice(2).join(' ');
    const hit = Object.entries(answers).find(([k]) => key.startsWith(k))?.[1] ?? { exitCode: 1, out: `no fake answer for ${key}` };
    return { command: `${command} ${args.join(' ')}`, exitCode: hit.exitCode, stdout: hit.exitCode === 0 ? hit.out : '', stderr: hit.exitCode === 0 ? '' : hit.out };
  };
  return { tryRun, run: tryRun } as Shell;
}

describe('checkCrashLoop', () => {
  const fixed = () => {
    const c = structuredClone(fixture('inspect-orders-fixed.json'));
    c.State.StartedAt = longAgo;
    return c;
  };
  const ready = fakeShell({ 'cat /tmp/ready': { exitCode: 0, out: 'ready production\n' } });

  it('fails with crash-looping on the captured restarting container, and points at the log and Config.Env', async () => {
    const c = fixture('inspect-orders-crash-loop.json');
    expect(c.State).toMatchObject({ Status: 'restarting', Restarting: true, ExitCode: 1 });
    expect(c.Config.Env?.some((e) => e.startsWith('APP_MODE='))).toBe(false);
    expect(await checkCrashLoop({ docker: fakeDocker({ [names.orders]: c }), shell: ready }, 0, 0)).toMatchObject({
      status: 'fail',
      code: 'crash-looping',
      reason: expect.stringMatching(/exited with code 1 and Docker has restarted it 3 times.*Config\.Env/),
    });
  });

  it('the captured log ends with the database error, while the cause is the warning before it', () => {
    const lines = text('orders-log.txt').trim().split('\n');
    expect(lines.at(-1)).toBe('orders: FATAL giving up after 3 attempts');
    expect(lines.at(-2)).toMatch(/cannot connect to database at db:5432/);
    expect(lines[1]).toMatch(/APP_MODE is not set/);
  });

  it('passes when it runs in production mode with a stable RestartCount', async () => {
    expect(await checkCrashLoop({ docker: fakeDocker({ [names.orders]: fixed }), shell: ready }, 0, 0)).toMatchObject({
      status: 'pass',
      observed: expect.stringMatching(/APP_MODE=production, RestartCount stable at 0, and reports "ready production"/),
    });
  });

  it('rejects turning restarts off, a placeholder command, another mode, and a restart while watched', async () => {
    const noRestart = fixed();
    noRestart.HostConfig.RestartPolicy = { Name: 'no', MaximumRetryCount: 0 };
    expect(await checkCrashLoop({ docker: fakeDocker({ [names.orders]: noRestart }), shell: ready }, 0, 0)).toMatchObject({ code: 'no-restart-policy' });

    const notReady = fakeShell({ 'cat /tmp/ready': { exitCode: 1, out: 'cat: can\'t open \'/tmp/ready\': No such file or directory' } });
    expect(await checkCrashLoop({ docker: fakeDocker({ [names.orders]: fixed }), shell: notReady }, 0, 0)).toMatchObject({ code: 'not-ready' });

    const staging = fixed();
    staging.Config.Env = ['APP_MODE=staging', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
    expect(await checkCrashLoop({ docker: fakeDocker({ [names.orders]: staging }), shell: ready }, 0, 0)).toMatchObject({ code: 'wrong-mode' });

    let calls = 0;
    const restarting = () => {
      const c = fixed();
      c.RestartCount = calls++;
      return c;
    };
    expect(await checkCrashLoop({ docker: fakeDocker({ [names.orders]: restarting }), shell: ready }, 0, 0)).toMatchObject({ code: 'crash-looping', reason: expect.stringMatching(/RestartCount 0 -> 1/) });
  });

  it('says how to get the container back when it was removed', async () => {
    expect(await checkCrashLoop({ docker: fakeDocker({}), shell: ready }, 0, 0)).toMatchObject({ code: 'container-missing', reason: expect.stringMatching(/--from crash-loop-misleading-log/) });
  });
});

describe('checkPidsLimit', () => {
  const worker = (limit: number | null) => {
    const c = structuredClone(fixture('inspect-worker-pids-8.json'));
    c.HostConfig.PidsLimit = limit;
    return c;
  };

  it('fails with fork-failing under the captured pids limit of 8, naming the limit and the cgroup files', async () => {
    expect(fixture('inspect-worker-pids-8.json').HostConfig.PidsLimit).toBe(8);
    expect(text('worker-log.txt')).toMatch(/can't fork: Resource temporarily unavailable/);
    const shell = fakeShell({ 'cat /tmp/status': { exitCode: 0, out: 'error: batch 3 could not start its 12 tasks\n' } });
    expect(await checkPidsLimit({ docker: fakeDocker({ [names.worker]: worker(8) }), shell }, 0)).toMatchObject({
      code: 'fork-failing',
      reason: expect.stringMatching(/"error: batch 3 could not start its 12 tasks".*pids limit is 8.*pids\.current with pids\.max/),
    });
  });

  it('passes when the batches run under a limit', async () => {
    const shell = fakeShell({ 'cat /tmp/status': { exitCode: 0, out: 'ok: batch 5 ran 12 tasks\n' } });
    expect(await checkPidsLimit({ docker: fakeDocker({ [names.worker]: worker(32) }), shell }, 0)).toMatchObject({ status: 'pass', observed: expect.stringMatching(/"ok: batch 5 ran 12 tasks" under a pids limit of 32/) });
  });

  it('rejects removing the limit, however Docker records "unlimited"', async () => {
    const shell = fakeShell({ 'cat /tmp/status': { exitCode: 0, out: 'ok: batch 5 ran 12 tasks\n' } });
    for (const unlimited of [null, 0, -1]) {
      expect(await checkPidsLimit({ docker: fakeDocker({ [names.worker]: worker(unlimited) }), shell }, 0)).toMatchObject({ code: 'no-pids-limit' });
    }
  });
});

describe('checkPublishedPort', () => {
  it('fails with no-response on the captured 127.0.0.1 listener, naming the published port', async () => {
    expect(text('web-netstat.txt')).toMatch(/127\.0\.0\.1:8080\s+0\.0\.0\.0:\*\s+LISTEN/);
    const c = fixture('inspect-web-published.json');
    const port = c.NetworkSettings.Ports!['8080/tcp']![0]!;
    const reset: () => Promise<never> = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: new Error('read ECONNRESET') });
    };
    expect(await checkPublishedPort({ docker: fakeDocker({ [names.web]: c }) }, reset, 0)).toMatchObject({
      code: 'no-response',
      reason: expect.stringContaining(`publishes 8080/tcp on 127.0.0.1:${port.HostPort}, but GET http://127.0.0.1:${port.HostPort}/ got no HTTP answer (read ECONNRESET)`),
    });
  });

  it('passes on a 200 with the page, and fails any other answer', async () => {
    const docker = fakeDocker({ [names.web]: fixture('inspect-web-published.json') });
    expect(await checkPublishedPort({ docker }, async () => ({ status: 200, body: `${webBody}\n` }), 0)).toMatchObject({ status: 'pass' });
    expect(await checkPublishedPort({ docker }, async () => ({ status: 404, body: '404 Not Found' }), 0)).toMatchObject({ code: 'wrong-response' });
  });

  it('rejects the host network, and a port that is not published', async () => {
    const host = fixture('inspect-web-host-network.json');
    expect(host.HostConfig.NetworkMode).toBe('host');
    const ok = async () => ({ status: 200, body: webBody });
    expect(await checkPublishedPort({ docker: fakeDocker({ [names.web]: host }) }, ok, 0)).toMatchObject({ code: 'host-network' });
    const unpublished = structuredClone(fixture('inspect-web-published.json'));
    unpublished.NetworkSettings.Ports = { '8080/tcp': null };
    expect(await checkPublishedPort({ docker: fakeDocker({ [names.web]: unpublished }) }, ok, 0)).toMatchObject({ code: 'not-published' });
  });
});

describe('checkNameResolution', () => {
  // The server's own inspect is not read beyond State; any captured running container serves.
  const api = fixture('inspect-client-default-bridge.json');
  const hostsDefault = text('hosts-with-link.txt').split('\n').filter((l) => !l.includes(names.api)).join('\n');
  const httpAnswer = `HTTP/1.1 200 OK\r\nConnection: close\r\nContent-type: text/html\r\n\r\n${apiBody}\n`;

  it('fails with name-not-resolved on the default bridge (captured nslookup)', async () => {
    const client = fixture('inspect-client-default-bridge.json');
    expect(Object.keys(client.NetworkSettings.Networks!)).toEqual(['bridge']);
    expect(text('client-log.txt')).toMatch(/nc: bad address 'm9-lab3-api'/);
    const shell = fakeShell({ 'nslookup m9-lab3-api': { exitCode: 1, out: text('nslookup-default-bridge.txt') }, 'cat /etc/hosts': { exitCode: 0, out: hostsDefault } });
    expect(await checkNameResolution({ docker: fakeDocker({ [names.api]: api, [names.client]: client }), shell }, 0)).toMatchObject({
      code: 'name-not-resolved',
      reason: expect.stringMatching(/cannot resolve m9-lab3-api \(nslookup: \*\* server can't find m9-lab3-api: NXDOMAIN\)/),
    });
  });

  it('rejects a name that only /etc/hosts knows (captured --link entry)', async () => {
    const shell = fakeShell({
      'nslookup m9-lab3-api': { exitCode: 1, out: text('nslookup-default-bridge.txt') },
      'cat /etc/hosts': { exitCode: 0, out: text('hosts-with-link.txt') },
      'sh -c': { exitCode: 0, out: httpAnswer },
    });
    const client = fixture('inspect-client-default-bridge.json');
    expect(await checkNameResolution({ docker: fakeDocker({ [names.api]: api, [names.client]: client }), shell }, 0)).toMatchObject({ code: 'hosts-file-only' });
  });

  it('passes on a user-defined network, where Docker\'s DNS answers', async () => {
    const client = fixture('inspect-client-user-network.json');
    expect(Object.keys(client.NetworkSettings.Networks!)).toContain(names.network);
    expect(text('resolv-user-network.txt')).toMatch(/nameserver 127\.0\.0\.11/);
    const shell = fakeShell({ 'nslookup m9-lab3-api': { exitCode: 0, out: text('nslookup-user-network.txt') }, 'sh -c': { exitCode: 0, out: httpAnswer } });
    expect(await checkNameResolution({ docker: fakeDocker({ [names.api]: api, [names.client]: client }), shell }, 0)).toMatchObject({ status: 'pass' });
    const noAnswer = fakeShell({ 'nslookup m9-lab3-api': { exitCode: 0, out: text('nslookup-user-network.txt') }, 'sh -c': { exitCode: 1, out: 'nc: can\'t connect to remote host (172.23.0.2): Connection refused' } });
    expect(await checkNameResolution({ docker: fakeDocker({ [names.api]: api, [names.client]: client }), shell: noAnswer }, 0)).toMatchObject({ code: 'no-response' });
  });
});

describe('diagnose truths, read from the captured state', () => {
  it('orders: the variable the log warns about and Config.Env lacks', () => {
    expect(ordersTruth(fixture('inspect-orders-crash-loop.json'), text('orders-log.txt'))).toContain('APP_MODE');
    expect(ordersTruth(fixture('inspect-orders-fixed.json'), text('orders-log.txt'))).toEqual([]);
    expect(ordersTruth(null, text('orders-log.txt'))).toEqual([]);
  });

  it('worker: the pids limit, when the log shows a failed fork and pids.max agrees', () => {
    const worker = fixture('inspect-worker-pids-8.json');
    expect(workerTruth(worker, text('worker-log.txt'), '8\n')).toEqual(expect.arrayContaining(['pids limit', 'pids.max', 'pids limit 8']));
    expect(workerTruth(worker, text('worker-log.txt'), '')).toContain('pids limit');
    expect(workerTruth(worker, text('worker-log.txt'), '32\n')).toEqual([]);
    expect(workerTruth(worker, 'worker: batch 3 ok\n', '8')).toEqual([]);
  });

  it('web: the loopback address from netstat, and nothing once it listens on all addresses', () => {
    expect(webTruth(text('web-netstat.txt'))).toEqual(expect.arrayContaining(['127.0.0.1', '127.0.0.1:8080', 'loopback']));
    expect(webTruth(text('web-netstat.txt').replace('127.0.0.1:8080', '0.0.0.0:8080'))).toEqual([]);
  });

  it('names: the default bridge only while it is the one network both are on', () => {
    const bridge = fixture('inspect-client-default-bridge.json');
    const user = fixture('inspect-client-user-network.json');
    expect(networkTruth(bridge, bridge)).toEqual(expect.arrayContaining(['bridge', 'the default bridge']));
    expect(networkTruth(user, user)).toEqual([]);
    expect(networkTruth(bridge, null)).toEqual([]);
  });

  it('every fix step comes right after its diagnose step, and no wrong answer is accepted', () => {
    const ids = dockerSteps.map((s) => s.id);
    expect(ids).toEqual(['crash-loop-misleading-log-diagnose', 'crash-loop-misleading-log', 'worker-batches-fail-diagnose', 'worker-batches-fail', 'published-port-unreachable-diagnose', 'published-port-unreachable', 'name-does-not-resolve-diagnose', 'name-does-not-resolve']);
    const accepted = [...ordersTruth(fixture('inspect-orders-crash-loop.json'), text('orders-log.txt')), ...webTruth(text('web-netstat.txt'))];
    for (const step of dockerSteps.filter((s) => s.question)) {
      for (const cheat of step.cheats ?? []) expect(accepted).not.toContain(cheat.name.replace(/^answers "|"$/g, ''));
    }
  });
});
