// zx Markdown notebooks, as zx 8.8.5 runs them: a fence runs only when its info string is
// exactly js, javascript, ts, typescript, sh, shell or bash; any other info string (or meta
// after the language) makes it text. This module finds the runnable cells and adds a marker
// before each, so a failure can be traced to its cell.

export const runnableLanguages = ['js', 'javascript', 'ts', 'typescript', 'sh', 'shell', 'bash'];

export interface Cell {
  index: number;
  language: string;
  /** 1-based line of the opening fence. */
  line: number;
}

export function findCells(markdown: string): Cell[] {
  const cells: Cell[] = [];
  let fence: string | null = null;
  markdown.split(/\r?\n/).forEach((text, i) => {
    if (fence) {
      if (text === fence) fence = null;
      return;
    }
    const match = /^(`{3,20}|~{3,20})(.*)$/.exec(text);
    if (!match) return;
    fence = match[1]!;
    const info = match[2]!;
    if (runnableLanguages.includes(info)) cells.push({ index: cells.length + 1, language: info, line: i + 1 });
  });
  return cells;
}

/** The notebook with a js cell before each runnable cell that prints `▶ cell N (line L)`. */
export function instrument(markdown: string): string {
  const lines = markdown.split(/\r?\n/);
  const cells = findCells(markdown);
  for (const cell of [...cells].reverse()) {
    lines.splice(cell.line - 1, 0, '```js', `console.log('▶ cell ${cell.index} (${cell.language}, line ${cell.line})')`, '```', '');
  }
  return lines.join('\n');
}

/** The last cell marker in the output: the cell that was running when it failed. */
export function lastCell(output: string): string | null {
  const markers = [...output.matchAll(/^▶ (cell \d+ \([a-z]+, line \d+\))$/gm)];
  return markers.at(-1)?.[1] ?? null;
}

/** Replaces the captured-output block between the markers, or appends one. */
export function withCapturedOutput(markdown: string, block: string): string {
  const start = '<!-- captured-output:start -->';
  const end = '<!-- captured-output:end -->';
  const section = `${start}\n${block.trim()}\n${end}`;
  const pattern = new RegExp(`${start}[\\s\\S]*?${end}`);
  return pattern.test(markdown) ? markdown.replace(pattern, section) : `${markdown.trimEnd()}\n\n## Output of the last recorded run\n\n${section}\n`;
}
