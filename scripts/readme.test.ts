// The README's first lines are the contract with a new contributor and with CI: two commands,
// one to serve the site and one to test. CI runs the test command from .ci/run, so the two
// must stay the same.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync('README.md', 'utf8').split('\n');
const commands = readme.slice(0, 4).flatMap((line) => [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));

describe('README', () => {
  it('opens with exactly two commands: serve, then test', () => {
    expect(commands).toEqual(['npm ci && npm start', 'npm ci && npm test']);
    expect(readme[2]).toMatch(/localhost:4321/);
  });

  it('names the same test command that .ci/run runs', () => {
    const ci = readFileSync('.ci/run', 'utf8');
    expect(ci.split('\n').filter((line) => line.trim() === commands[1])).toHaveLength(1);
  });

  it('names npm scripts that exist', () => {
    const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts;
    expect(scripts.start).toMatch(/astro build && astro preview .*--port 4321/);
    expect(scripts.test).toBe('node scripts/test.ts');
  });
});
