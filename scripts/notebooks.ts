// Runs the executable notebooks (notebooks/*.md) with zx, as a learner would
// (`npx zx notebooks/<name>.md`), and fails with the notebook and the cell when one fails.
// Usage: npm run notebooks [-- <name>...] [--capture]
//   --capture  write each run's output into the notebook's "Output of the last recorded run"
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { instrument, lastCell, withCapturedOutput } from './lib/notebook-cells.ts';

const { values, positionals } = parseArgs({ options: { capture: { type: 'boolean', default: false } }, allowPositionals: true });
const dir = 'notebooks';
const all = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'index.md' && !f.startsWith('.')).map((f) => f.slice(0, -3)).sort();
const unknown = positionals.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown notebook "${unknown.join(', ')}". Notebooks: ${all.join(', ')}.`);
  process.exit(2);
}
const chosen = positionals.length > 0 ? positionals : all;

function runZx(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('node_modules/.bin/zx', [file], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
    let output = '';
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 124 : 1), output }));
  });
}

const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

async function environment(): Promise<string> {
  const info = await new Promise<string>((resolve) => {
    const child = spawn('docker', ['info', '--format', 'Docker Engine {{.ServerVersion}}, cgroup v{{.CgroupVersion}}'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('close', () => resolve(out.trim() || 'Docker Engine unknown'));
  });
  return `${info}, Node ${process.version}`;
}

const failures: string[] = [];
for (const name of chosen) {
  const source = `${dir}/${name}.md`;
  const copy = `${dir}/.run-${name}.md`;
  const notebook = readFileSync(source, 'utf8');
  writeFileSync(copy, instrument(notebook));
  console.log(`\n=== notebook ${name}: npx zx ${source}`);
  const started = performance.now();
  let result;
  try {
    result = await runZx(copy);
  } finally {
    rmSync(copy, { force: true });
    rmSync(`${dir}/.run-${name}.mjs`, { force: true });
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const checks = (result.output.match(/^✔ /gm) ?? []).length;
  if (result.code !== 0) {
    const tail = stripAnsi(result.output).trim().split('\n').slice(-4).join('\n    ');
    failures.push(`${name}: failed in ${lastCell(result.output) ?? 'its first cell'} (exit ${result.code}):\n    ${tail}`);
  } else if (checks === 0) {
    failures.push(`${name}: ran, but checked nothing (no "✔" expectation lines); a notebook states what it expects to see`);
  }
  console.log(`=== notebook ${name}: ${result.code === 0 && checks > 0 ? 'passed' : 'FAILED'} in ${seconds} s, ${checks} expectation(s) met`);
  if (values.capture && result.code === 0) {
    const output = stripAnsi(result.output).split('\n').filter((l) => !l.startsWith('▶ cell ')).join('\n').trim();
    const block = `Captured on ${new Date().toISOString().slice(0, 10)} (${await environment()}) in ${seconds} s:\n\n\`\`\`text\n${output}\n\`\`\``;
    writeFileSync(source, withCapturedOutput(notebook, block));
  }
}
if (failures.length > 0) {
  console.error(`\nnotebooks: ${failures.length} of ${chosen.length} failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`\nnotebooks: ${chosen.length} passed`);
