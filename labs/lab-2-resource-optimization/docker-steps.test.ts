// Check logic on real `docker inspect` output (captured on Docker Engine 20.10, cgroup v1,
// and trimmed to the fields the checks read) and real cgroup file contents.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ContainerInspect, DockerClient } from '../lib/docker.ts';
import { checkCpuThrottling, checkMemoryLimit, checkRightSize, cpuLimit, names } from './docker-steps.ts';

const fixture = (name: string) => (JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')) as ContainerInspect[])[0]!;
const MiB = 1024 * 1024;
const longAgo = new Date(Date.now() - 60_000).toISOString();

function running(overrides: Partial<ContainerInspect['HostConfig']> = {}): ContainerInspect {
  const c = structuredClone(fixture('inspect-running.json'));
  c.State.StartedAt = longAgo;
  Object.assign(c.HostConfig, overrides);
  return c;
}

function fakeDocker(containers: Record<string, ContainerInspect | null>, cgroup: (file: string, call: number) => string): Pick<DockerClient, 'inspect' | 'readCgroup'> & DockerClient {
  let calls = 0;
  return {
    inspect: async (name: string) => containers[name] ?? null,
    readCgroup: async (_name: string, file: { v1: string }) => cgroup(file.v1, calls++),
  } as unknown as DockerClient;
}

describe('checkMemoryLimit', () => {
  it('fails with oom-killed on the captured OOM-killed container', async () => {
    const docker = fakeDocker({ [names.memory]: fixture('inspect-oom-killed.json') }, () => '0');
    expect(await checkMemoryLimit({ docker })).toMatchObject({ status: 'fail', code: 'oom-killed', reason: expect.stringMatching(/exited with code 137 and OOMKilled=true/) });
  });

  it('passes when the cache is loaded within a limit that fits', async () => {
    const docker = fakeDocker({ [names.memory]: running() }, () => '105984000\n');
    expect(await checkMemoryLimit({ docker })).toMatchObject({ status: 'pass', observed: expect.stringMatching(/101 MiB used of a 160 MiB limit/) });
  });

  it('catches the wrong fixes: no limit, and a limit far above the need', async () => {
    expect(await checkMemoryLimit({ docker: fakeDocker({ [names.memory]: running({ Memory: 0, MemorySwap: 0 }) }, () => '105984000') })).toMatchObject({ code: 'no-memory-limit' });
    expect(await checkMemoryLimit({ docker: fakeDocker({ [names.memory]: running({ Memory: 8192 * MiB }) }, () => '105984000') })).toMatchObject({ code: 'limit-too-high' });
  });

  it('says how to get the container back when it was removed', async () => {
    expect(await checkMemoryLimit({ docker: fakeDocker({}, () => '') })).toMatchObject({ code: 'container-missing', reason: expect.stringMatching(/start lab-2 --from memory-limit/) });
  });
});

describe('checkCpuThrottling', () => {
  const stat = (periods: number, throttled: number) => `nr_periods ${periods}\nnr_throttled ${throttled}\nthrottled_time 2415347383\nnr_bursts 0\nburst_time 0\n`;

  it('reads the captured cgroup v1 cpu.stat format', async () => {
    const captured = readFileSync(new URL('fixtures/cpu.stat.v1.txt', import.meta.url), 'utf8');
    expect(captured).toMatch(/^nr_periods \d+\nnr_throttled \d+\nthrottled_time \d+/);
    const docker = fakeDocker({ [names.cpu]: running({ NanoCpus: 200_000_000 }) }, (_f, call) => (call === 0 ? captured : stat(83, 82)));
    expect(await checkCpuThrottling({ docker }, 0)).toMatchObject({ status: 'fail', code: 'throttled', reason: expect.stringMatching(/50 of 50 CFS periods throttled/) });
  });

  it('passes when under 10% of the periods in the window are throttled', async () => {
    const docker = fakeDocker({ [names.cpu]: running({ NanoCpus: 1_000_000_000 }) }, (_f, call) => (call === 0 ? stat(81, 54) : stat(130, 55)));
    expect(await checkCpuThrottling({ docker }, 0)).toMatchObject({ status: 'pass', observed: expect.stringMatching(/1 of 49 CFS periods throttled .* \(2%\) at a limit of 1 CPU/) });
  });

  it('rejects removing the limit and limits a single thread cannot use', async () => {
    expect(await checkCpuThrottling({ docker: fakeDocker({ [names.cpu]: running({ NanoCpus: 0, CpuQuota: 0 }) }, () => stat(0, 0)) }, 0)).toMatchObject({ code: 'no-cpu-limit' });
    expect(await checkCpuThrottling({ docker: fakeDocker({ [names.cpu]: running({ NanoCpus: 4e9 }) }, () => stat(0, 0)) }, 0)).toMatchObject({ code: 'limit-too-high' });
  });
});

describe('checkRightSize', () => {
  const usage = String(42 * MiB);
  it('fails an oversized limit and a limit with no headroom, passes one in between', async () => {
    const at = (memory: number) => checkRightSize({ docker: fakeDocker({ [names.web]: running({ Memory: memory }) }, () => usage) });
    expect(await at(1024 * MiB)).toMatchObject({ code: 'oversized', reason: expect.stringMatching(/limit 1024 MiB for 42 MiB in use \(24\.38x\)/) });
    expect(await at(46 * MiB)).toMatchObject({ code: 'too-tight' });
    expect(await at(64 * MiB)).toMatchObject({ status: 'pass' });
  });
});

describe('cpuLimit', () => {
  it('reads --cpus (NanoCpus) and --cpu-quota/--cpu-period', () => {
    expect(cpuLimit(running({ NanoCpus: 200_000_000 }))).toBe(0.2);
    expect(cpuLimit(running({ NanoCpus: 0, CpuQuota: 50_000, CpuPeriod: 100_000 }))).toBe(0.5);
    expect(cpuLimit(running({ NanoCpus: 0, CpuQuota: 0 }))).toBe(0);
  });
});
