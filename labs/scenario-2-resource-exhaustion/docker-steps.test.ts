// Check logic of the Docker part on real output, captured on Docker Engine 20.10 (cgroup v1)
// from the scenario's own containers right after setup: `docker inspect` of the renderer (running
// again after its second restart) and of the api, trimmed to the fields read, and `docker events`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answerMatches } from '../lib/diagnose.ts';
import { causeAnswers } from '../lib/cause-answers.ts';
import { billingStructure, cacheMbOf, eventNamesSince, judgeWindow, names, prefix, publishedUrl, type Inspect } from './docker-steps.ts';

const text = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const inspect = (name: string) => (JSON.parse(text(`inspect-${name}.json`)) as Inspect[])[0]!;
const MiB = 1024 * 1024;

function app(change: (c: Record<string, Inspect | null>) => void = () => {}): Record<string, Inspect | null> {
  const clerks = structuredClone(inspect('api'));
  clerks.Name = `/${names.clerks}`;
  clerks.NetworkSettings.Ports = {};
  const containers: Record<string, Inspect | null> = { [names.renderer]: structuredClone(inspect('renderer')), [names.api]: inspect('api'), [names.clerks]: clerks };
  change(containers);
  return containers;
}

const stable = (limitMb: number, cacheMb = 192) => {
  const c = structuredClone(inspect('renderer'));
  c.HostConfig.Memory = c.HostConfig.MemorySwap = limitMb * MiB;
  c.Config.Env = (c.Config.Env ?? []).map((e) => (e.startsWith('RENDER_CACHE_MB=') ? `RENDER_CACHE_MB=${cacheMb}` : e));
  return c;
};
const downloads = { ok: 16, failed: 0 };

describe('the diagnosis', () => {
  it('the captured state shows the kernel ending the renderer: oom then die, State.OOMKilled while it runs again', () => {
    const events = text('docker-events.txt').trim().split('\n');
    const killed = [...new Set(events.filter((l) => / container oom /.test(l)).map((l) => l.split(' ').at(-1)!))];
    expect(killed).toEqual([names.renderer]);
    expect(inspect('renderer').State).toMatchObject({ Running: true, OOMKilled: true, ExitCode: 0 });
    expect(inspect('renderer').RestartCount).toBeGreaterThanOrEqual(2);
    const accepted = causeAnswers(killed, ['memory'], prefix);
    expect(answerMatches('renderer memory', accepted)).toBe(true);
    expect(answerMatches('m9-s2-api memory', accepted)).toBe(false);
    expect(answerMatches('m9-s2-renderer cpu', accepted)).toBe(false);
  });
});

describe('billingStructure', () => {
  it('lets the captured state through to the window (a running renderer is judged by watching it)', () => {
    expect(billingStructure(app())).toBeNull();
    expect(cacheMbOf(inspect('renderer'))).toBe(192);
    expect(publishedUrl(inspect('api'))).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('fails a restarting renderer as unstable', () => {
    const result = billingStructure(app((c) => (c[names.renderer]!.State = { ...c[names.renderer]!.State, Running: false, Restarting: true, Status: 'restarting', ExitCode: 137 })));
    expect(result).toMatchObject({ code: 'unstable', reason: expect.stringMatching(/restarting, last exit code 137/) });
  });

  it('rejects the wrong fixes: no limit, the cache off, a deleted or stopped container', () => {
    expect(billingStructure(app((c) => (c[names.renderer]!.HostConfig.Memory = 0)))).toMatchObject({ code: 'no-memory-limit' });
    expect(billingStructure(app((c) => (c[names.renderer] = stable(128, 0))))).toMatchObject({ code: 'cache-too-small' });
    expect(billingStructure(app((c) => (c[names.renderer] = null)))).toMatchObject({ code: 'container-missing' });
    expect(billingStructure(app((c) => (c[names.renderer]!.State = { ...c[names.renderer]!.State, Running: false, Status: 'exited', ExitCode: 137 })))).toMatchObject({ code: 'not-running' });
  });

  it('accepts a cache left unset (the app then uses 64 MB)', () => {
    expect(billingStructure(app((c) => (c[names.renderer]!.Config.Env = ['PATH=/usr/local/bin:/usr/bin:/bin'])))).toBeNull();
  });
});

describe('judgeWindow', () => {
  it('passes both valid fixes: the limit raised to fit, or the cache lowered to fit', () => {
    const raised = stable(320);
    expect(judgeWindow({ before: raised, after: raised, killEvents: 0, downloads, usageBytes: 207 * MiB })).toMatchObject({ status: 'pass' });
    const smaller = stable(128, 64);
    expect(judgeWindow({ before: smaller, after: smaller, killEvents: 0, downloads, usageBytes: 79 * MiB })).toMatchObject({ status: 'pass', observed: expect.stringContaining('64 MiB cache') });
  });

  it('fails a restart or a kill during the window, and failed downloads', () => {
    const before = stable(128);
    const after = structuredClone(before);
    after.RestartCount += 1;
    expect(judgeWindow({ before, after, killEvents: 0, downloads, usageBytes: 0 })).toMatchObject({ code: 'unstable', reason: expect.stringContaining('restarted while the check watched it') });
    expect(judgeWindow({ before, after: before, killEvents: 1, downloads, usageBytes: 120 * MiB })).toMatchObject({ code: 'unstable' });
    expect(judgeWindow({ before, after: before, killEvents: 0, downloads: { ok: 10, failed: 2, firstError: 'HTTP 502' }, usageBytes: 120 * MiB })).toMatchObject({ code: 'errors' });
  });

  it('rejects a limit so high it protects nothing (4 GiB for about 207 MiB)', () => {
    const huge = stable(4096);
    expect(judgeWindow({ before: huge, after: huge, killEvents: 0, downloads, usageBytes: 207 * MiB })).toMatchObject({ code: 'limit-too-high' });
    const generous = stable(800);
    expect(judgeWindow({ before: generous, after: generous, killEvents: 0, downloads, usageBytes: 207 * MiB })).toMatchObject({ status: 'pass' });
  });
});

describe('eventNamesSince', () => {
  // `docker events --format '{{.TimeNano}} {{.Actor.Attributes.name}}'`: --since counts whole
  // seconds, so an OOM kill from just before the check began is in the output and must not count.
  const lines = '1764000000400000000 m9-s2-renderer\n1764000000900000000 m9-s2-renderer\n1764000001200000000 m9-s2-api\n';
  it('keeps only events at or after the time, to the millisecond', () => {
    expect(eventNamesSince(lines, 1764000000_500)).toEqual(['m9-s2-renderer', 'm9-s2-api']);
    expect(eventNamesSince(lines, 1764000000_400)).toEqual(['m9-s2-renderer', 'm9-s2-renderer', 'm9-s2-api']);
    expect(eventNamesSince(lines, 1764000001_300)).toEqual([]);
  });
  it('ignores blank and malformed lines', () => {
    expect(eventNamesSince('\n  \nnot-a-time m9-s2-renderer\n', 0)).toEqual([]);
  });
});
