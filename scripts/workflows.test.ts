// The GitHub workflows are valid YAML with the structure GitHub expects, pin third-party
// actions by commit, and the kind workflow runs every lab that has kind steps.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadLabMetas } from './lib/lab-metas.ts';

interface Workflow {
  name?: string;
  on?: unknown;
  jobs: Record<string, { 'runs-on': string; steps: { uses?: string; run?: string }[]; strategy?: { matrix?: { lab?: string[] } } }>;
}

const dir = '.github/workflows';
const workflows = Object.fromEntries(readdirSync(dir).map((file) => [file, parse(readFileSync(`${dir}/${file}`, 'utf8')) as Workflow]));

describe('workflows', () => {
  it('has the pull request, Pages and kind workflows', () => {
    expect(Object.keys(workflows).sort()).toEqual(['ci.yml', 'labs-kind.yml', 'pages.yml']);
  });

  for (const [file, workflow] of Object.entries(workflows)) {
    it(`${file} has a name, triggers, and jobs whose steps each run or use something`, () => {
      expect(workflow.name).toBeTruthy();
      expect(workflow.on).toBeTruthy();
      for (const job of Object.values(workflow.jobs)) {
        expect(job['runs-on']).toMatch(/^ubuntu-/);
        for (const step of job.steps) expect(Boolean(step.uses) !== Boolean(step.run)).toBe(true);
      }
    });

    it(`${file} pins actions outside actions/* by commit`, () => {
      for (const job of Object.values(workflow.jobs)) {
        for (const { uses } of job.steps) {
          if (uses && !uses.startsWith('actions/')) expect(uses).toMatch(/@[0-9a-f]{40}$/);
        }
      }
    });
  }

  for (const target of ['kind', 'docker'] as const) {
    it(`runs the ${target} steps of every lab that has them`, () => {
      const labs = loadLabMetas('labs').filter((lab) => lab.targets.includes(target)).map((lab) => lab.id);
      expect(workflows['labs-kind.yml']!.jobs[target]!.strategy?.matrix?.lab).toEqual(labs);
    });
  }

  it('runs the README test command in CI on Node 20', () => {
    const steps = workflows['ci.yml']!.jobs.test!.steps;
    expect(steps.some((s) => s.run === 'npm ci && npm test')).toBe(true);
  });
});
