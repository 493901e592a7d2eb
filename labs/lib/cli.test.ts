import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main, parseCommand, usage, verbs } from './cli.ts';
import { resolveContext } from './kube.ts';

describe('parseCommand', () => {
  it('accepts each verb in its documented form', () => {
    expect(parseCommand(['start', 'lab-2', '--from', 'cpu-throttling', '--target', 'docker'])).toMatchObject({ verb: 'start', rest: ['lab-2'], target: 'docker' });
    expect(parseCommand(['check'])).toMatchObject({ verb: 'check', rest: [] });
    expect(parseCommand(['test', '--all', '--target', 'kind'])).toMatchObject({ verb: 'test', target: 'kind' });
    expect(parseCommand(['cluster', 'up'])).toMatchObject({ verb: 'cluster', rest: ['up'] });
    expect(parseCommand([])).toMatchObject({ verb: 'help' });
  });

  const bad: [string[], RegExp][] = [
    [['bogus'], /Unknown verb "bogus"\. Verbs: list, doctor/],
    [['start'], /Name the lab to start: npm run lab -- start <lab>/],
    [['start', 'lab-2', '--frm', 'x'], /Unknown option '--frm'.*npm run lab -- --help/],
    [['check', '--target', 'podman'], /--target must be docker or kind, not "podman"/],
    [['test'], /Name a lab or pass --all/],
    [['test', 'lab-2', '--runs', 'two'], /--runs takes a whole number/],
    [['cluster', 'sideways'], /Usage: npm run lab -- cluster up\|down/],
    [['check', '--from', 'x'], /--from goes with start/],
    [['list', 'extra'], /Too many arguments for list/],
    [['images', 'remote'], /Usage: npm run lab -- images local/],
    [['answer'], /Give your answer: npm run lab -- answer/],
    [['answer', 'a', 'b'], /Too many arguments for answer/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${JSON.stringify(argv)} with what to type instead`, () => {
      expect(() => parseCommand(argv)).toThrow(message);
    });
  }
});

describe('main', () => {
  let errors: string[];
  let printed: string[];
  beforeEach(() => {
    errors = [];
    printed = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    process.env.LAB_STATE_DIR = mkdtempSync(join(tmpdir(), 'module9-state-'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.LAB_STATE_DIR;
  });
  const print = (line: string) => void printed.push(line);

  it('exits 2 on a usage error and changes nothing', async () => {
    expect(await main(['start', 'lab-99'], print)).toBe(2);
    expect(errors.join('\n')).toMatch(/Unknown lab "lab-99"\. Labs: [a-z0-9-]+(, [a-z0-9-]+)*\. See them with: npm run lab -- list/);
  });

  it('exits 2 when check runs before any lab is started', async () => {
    expect(await main(['check'], print)).toBe(2);
    expect(errors.join('\n')).toMatch(/No lab is started\. Start one with: npm run lab -- start <lab>/);
  });

  it('exits 2 when an answer comes before any lab is started', async () => {
    expect(await main(['answer', 'orders'], print)).toBe(2);
    expect(errors.join('\n')).toMatch(/No lab is started\. Start one with: npm run lab -- start <lab>/);
  });

  it('prints help for every verb', async () => {
    for (const verb of Object.keys(verbs)) {
      printed = [];
      expect(await main([verb, '--help'], print)).toBe(0);
      expect(printed.join('\n')).toContain(`npm run lab -- ${verbs[verb]!.usage}`);
    }
    expect(usage()).toMatch(/Exit codes: 0 success, 1 check failed, 2 usage error, 3 environment error/);
  });

  it('lists the labs from their metadata', async () => {
    expect(await main(['list'], print)).toBe(0);
    expect(printed.join('\n')).toMatch(/lab-2-resource-optimization\s+Docker \+ Kubernetes \(kind\)\s+~60 min/);
  });

  it('refuses --confirm-context without --context before asking kind or kubectl anything', async () => {
    const calls: string[] = [];
    const shell = { tryRun: async (c: string) => { calls.push(c); throw new Error('not reached'); }, run: async () => { throw new Error('not reached'); } };
    await expect(resolveContext(shell, undefined, true, print)).rejects.toThrow(/--confirm-context goes with --context NAME/);
    expect(calls).toEqual([]);
  });
});

describe('findLabMeta', () => {
  it('takes lab-<number> as short for a lab, never for a scenario with that number', async () => {
    const { findLabMeta } = await import('./registry.ts');
    const dir = mkdtempSync(join(tmpdir(), 'module9-labs-'));
    const meta = { id: 'scenario-1-x', number: 1, title: 'A scenario', summary: 'A scenario numbered 1.', targets: ['docker'], estimatedMinutes: 5, page: 'scenarios/scenario-1-x', kind: 'scenario' };
    mkdirSync(join(dir, meta.id));
    writeFileSync(join(dir, meta.id, 'meta.json'), JSON.stringify(meta));
    expect(findLabMeta('scenario-1-x', dir).kind).toBe('scenario');
    expect(() => findLabMeta('lab-1', dir)).toThrow(/Unknown lab "lab-1"/);
    expect(findLabMeta('lab-2').id).toBe('lab-2-resource-optimization');
  });
});
