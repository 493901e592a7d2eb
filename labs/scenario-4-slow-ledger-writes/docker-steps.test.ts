// Check logic on real output: `docker inspect` of the ledger captured on Docker Engine 20.10
// (cgroup v1) with the setup's write cap, with a higher cap, without one and with the journal on
// a tmpfs, plus the cgroup file, `docker stats` and the ledger's log from the capped container.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cappedIops, deviceScript, diagnoseTruth, judgeCommits, judgeContainer, journalMount, ledgerUrl, measureCommits, median, medianBudgetMs, names, type Inspect, type Post } from './docker-steps.ts';

const text = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const fixture = (name: string) => (JSON.parse(text(name)) as Inspect[])[0]!;

describe('the diagnosis', () => {
  it('names the write cap of the captured container, by its option, its field and its cgroup file', () => {
    const capped = fixture('inspect-ledger-capped.json');
    expect(capped.HostConfig.BlkioDeviceWriteIOps).toEqual([{ Path: '/dev/vda', Rate: cappedIops }]);
    expect(diagnoseTruth(capped)).toEqual(expect.arrayContaining(['--device-write-iops', 'BlkioDeviceWriteIOps', 'blkio.throttle.write_iops_device']));
    expect(diagnoseTruth(capped)[0]).toBe('--device-write-iops');
  });

  it('does not accept the read cap, CPU or memory, which the container also has', () => {
    const capped = fixture('inspect-ledger-capped.json');
    expect(capped.HostConfig.BlkioDeviceReadBps).toEqual([{ Path: '/dev/vda', Rate: 200 * 1024 * 1024 }]);
    expect(capped.HostConfig.NanoCpus).toBe(1e9);
    for (const wrong of ['--device-read-bps', '--cpus', '--memory']) expect(diagnoseTruth(capped)).not.toContain(wrong);
  });

  it('has no answer without a write cap', () => {
    expect(diagnoseTruth(fixture('inspect-ledger-uncapped.json'))).toEqual([]);
    expect(diagnoseTruth(null)).toEqual([]);
  });

  it('the evidence: the cgroup v1 file names the disk and the cap, stats show little CPU, the log slow commits', () => {
    expect(text('blkio.throttle.write_iops_device.v1.txt').trim()).toBe(`254:0 ${cappedIops}`);
    expect(text('docker-stats-capped.txt')).toMatch(/m9-s4-ledger\s+0\.\d+%/);
    expect(text('ledger-log.txt')).toMatch(/took \d{3} ms to commit/);
  });

  it('finds the whole disk behind a partition', () => {
    expect(deviceScript).toContain('[ -e "$p/partition" ] && p=$(dirname "$p")');
  });
});

describe('judgeContainer', () => {
  it('accepts the journal on its named volume, capped or not', () => {
    for (const name of ['inspect-ledger-capped.json', 'inspect-ledger-uncapped.json', 'inspect-ledger-2000-iops.json']) {
      expect(judgeContainer(fixture(name))).toBeNull();
    }
    expect(journalMount(fixture('inspect-ledger-uncapped.json')).mount).toMatchObject({ Type: 'volume', Name: names.journal, Destination: '/var/lib/ledger' });
  });

  it('rejects the journal on a tmpfs, in another directory, or on a read-only volume', () => {
    expect(judgeContainer(fixture('inspect-ledger-tmpfs.json'))).toMatchObject({ code: 'journal-not-on-volume', reason: expect.stringContaining('where a tmpfs (memory) is mounted') });
    const moved = fixture('inspect-ledger-capped.json');
    moved.Config.Env = ['LEDGER_DIR=/dev/shm', ...(moved.Config.Env ?? [])];
    expect(judgeContainer(moved)).toMatchObject({ code: 'journal-not-on-volume', reason: expect.stringContaining('/dev/shm') });
    const readOnly = fixture('inspect-ledger-uncapped.json');
    readOnly.Mounts = readOnly.Mounts.map((m) => ({ ...m, RW: false }));
    expect(judgeContainer(readOnly)).toMatchObject({ code: 'journal-not-on-volume', reason: expect.stringContaining('read-only') });
  });

  it('rejects a missing or stopped ledger', () => {
    expect(judgeContainer(null)).toMatchObject({ code: 'container-missing' });
    const stopped = fixture('inspect-ledger-uncapped.json');
    stopped.State = { ...stopped.State, Running: false, Status: 'exited', ExitCode: 0 };
    expect(judgeContainer(stopped)).toMatchObject({ code: 'not-running' });
  });
});

describe('judgeCommits', () => {
  it('fails on the commit times the capped ledger logged, passes on the uncapped ones', () => {
    const logged = [...text('ledger-log.txt').matchAll(/took (\d+) ms/g)].map((m) => Number(m[1]));
    expect(logged.length).toBeGreaterThan(3);
    expect(judgeCommits(logged)).toMatchObject({ code: 'slow-commits' });
    expect(judgeCommits([10.6, 2.8, 3.3, 4.1, 2.9])).toMatchObject({ status: 'pass' });
  });

  it('judges the median, so one slow commit on a busy machine does not fail it', () => {
    expect(judgeCommits([3, 4, 5, 400, 3])).toMatchObject({ status: 'pass' });
    expect(judgeCommits([medianBudgetMs, medianBudgetMs + 1, 3])).toMatchObject({ code: 'slow-commits' });
    expect(median([1, 2, 3, 4])).toBe(2.5);
  });

  it('treats no acknowledgement as still starting', () => {
    expect(judgeCommits('connect ECONNREFUSED 127.0.0.1:32801')).toMatchObject({ code: 'starting' });
  });
});

describe('measureCommits', () => {
  const url = ledgerUrl(fixture('inspect-ledger-capped.json'))!;

  it('reads the published port', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('sends up to the count, and at least the minimum when the time budget runs out', async () => {
    const calls: string[] = [];
    const fast: Post = async (u) => (calls.push(u), { status: 201, ms: 2 });
    expect(await measureCommits(url, fast, { count: 7, minimum: 3, budgetMs: 10_000 })).toHaveLength(7);
    expect(calls[0]).toBe(`${url}/entries`);
    expect(await measureCommits(url, fast, { count: 7, minimum: 3, budgetMs: -1 })).toHaveLength(3);
  });

  it('reports a refused booking', async () => {
    const refusing: Post = async () => ({ status: 500, ms: 1 });
    expect(await measureCommits(url, refusing)).toBe('the ledger answered 500');
  });
});
