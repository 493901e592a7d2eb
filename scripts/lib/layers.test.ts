import { describe, expect, it } from 'vitest';
import { CommandError, run, runLayers, summarize } from './layers.ts';

const quiet = () => {};

describe('runLayers', () => {
  it('reports passed, failed and skipped layers, and keeps going after a failure', async () => {
    const order: string[] = [];
    const results = await runLayers(
      [
        { name: 'static', run: async () => { order.push('static'); return 'all checks'; } },
        { name: 'unit', run: async () => { order.push('unit'); throw new Error('2 tests failed'); } },
        { name: 'browser', skipReason: () => 'Chromium not found', run: async () => { order.push('browser'); } },
        { name: 'budgets', run: async () => { order.push('budgets'); } },
      ],
      quiet,
    );
    expect(order).toEqual(['static', 'unit', 'budgets']);
    expect(results.map((r) => [r.name, r.status, r.detail])).toEqual([
      ['static', 'passed', 'all checks'],
      ['unit', 'failed', '2 tests failed'],
      ['browser', 'skipped', 'Chromium not found'],
      ['budgets', 'passed', ''],
    ]);
  });

  it('awaits an asynchronous skip check', async () => {
    const results = await runLayers([{ name: 'docker E2E', skipReason: async () => 'docker not found', run: async () => {} }], quiet);
    expect(results[0]).toMatchObject({ status: 'skipped', detail: 'docker not found' });
  });
});

describe('summarize', () => {
  it('prints one line per layer and a closing count line', () => {
    const lines = summarize([
      { name: 'static', status: 'passed', detail: 'tsc', seconds: 3.2 },
      { name: 'unit', status: 'failed', detail: 'vitest run exited with 1', seconds: 1 },
      { name: 'kind E2E', status: 'skipped', detail: 'kind not found', seconds: 0 },
    ]);
    expect(lines).toEqual([
      'static: passed in 3.2s (tsc)',
      'unit: failed in 1s (vitest run exited with 1)',
      'kind E2E: skipped: kind not found',
      'layers: 1 passed, 1 failed, 1 skipped',
    ]);
  });
});

describe('run', () => {
  it('resolves when the command exits 0', async () => {
    await expect(run(process.execPath, ['-e', 'process.exit(0)'])).resolves.toBeUndefined();
  });

  it('rejects with the command and its exit code', async () => {
    const failing = run(process.execPath, ['-e', 'process.exit(3)']);
    await expect(failing).rejects.toBeInstanceOf(CommandError);
    await expect(failing).rejects.toThrow(/-e process\.exit\(3\) exited with 3$/);
  });

  it('rejects when the command does not exist', async () => {
    await expect(run('no-such-command-module9', [])).rejects.toThrow(/no-such-command-module9: spawn .*ENOENT/);
  });

  it('passes extra environment to the command', async () => {
    await expect(run(process.execPath, ['-e', 'process.exit(process.env.M9 === "yes" ? 0 : 1)'], { M9: 'yes' })).resolves.toBeUndefined();
  });
});
