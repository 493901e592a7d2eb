import { describe, expect, it } from 'vitest';
import { findCells, instrument, lastCell, withCapturedOutput } from './notebook-cells.ts';

const notebook = ['# N', '', '```js', 'let a = 1', '```', '', '```text', 'not run', '```', '', '```bash wrap', 'echo no', '```', '', '```bash', 'echo yes', '```'].join('\n');

describe('findCells', () => {
  it('finds the fences zx runs, and skips text fences and fences with meta', () => {
    expect(findCells(notebook)).toEqual([
      { index: 1, language: 'js', line: 3 },
      { index: 2, language: 'bash', line: 15 },
    ]);
  });

  it('does not take fences inside another fence for cells', () => {
    expect(findCells('````text\n```js\nx\n```\n````')).toEqual([]);
  });
});

describe('instrument', () => {
  it('puts a marker cell before each runnable cell and keeps the cells in order', () => {
    const out = instrument(notebook);
    expect(out).toContain("```js\nconsole.log('▶ cell 1 (js, line 3)')\n```\n\n```js\nlet a = 1");
    expect(out).toContain("console.log('▶ cell 2 (bash, line 15)')\n```\n\n```bash\necho yes");
    expect(findCells(out)).toHaveLength(4);
  });
});

describe('lastCell', () => {
  it('names the cell that was running', () => {
    expect(lastCell('▶ cell 1 (js, line 3)\nok\n▶ cell 2 (bash, line 15)\nboom')).toBe('cell 2 (bash, line 15)');
    expect(lastCell('nothing')).toBeNull();
  });
});

describe('withCapturedOutput', () => {
  it('appends a captured section once, then replaces it in place', () => {
    const first = withCapturedOutput('# N\n', 'one');
    expect(first).toMatch(/## Output of the last recorded run\n\n<!-- captured-output:start -->\none\n<!-- captured-output:end -->\n$/);
    const second = withCapturedOutput(first, 'two');
    expect(second.match(/captured-output:start/g)).toHaveLength(1);
    expect(second).toContain('\ntwo\n');
  });
});
