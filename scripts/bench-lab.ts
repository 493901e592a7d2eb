// Lab runtime overhead: the same docker commands run raw (child_process) and through the lab
// runtime's shell (zx, printing each command), in one run, as a ratio; and the CLI's own
// start-up (`npm run lab -- list` without npm) against a raw `docker ps`.
// Usage: npm run bench:lab   (needs a Docker engine and the lab image: npm run lab -- images local)
import { execFileSync } from 'node:child_process';
import { createShell } from '../labs/lib/shell.ts';
import { imageRef } from '../labs/lib/images.ts';

const rounds = 10;
const name = 'm9-bench-overhead';
const image = imageRef('busybox');
const silent = () => {};

async function time(action: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < rounds; i += 1) await action();
  return (performance.now() - started) / rounds;
}

execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
execFileSync('docker', ['run', '-d', '--name', name, '--label', 'module9.lab=bench', image, 'sleep', '600'], { stdio: 'ignore' });
try {
  const shell = createShell(silent);
  const rows: [string, number, number][] = [];
  const inspectArgs = ['container', 'inspect', name];
  rows.push(['docker container inspect', await time(() => execFileSync('docker', inspectArgs)), await time(() => shell.run('docker', inspectArgs))]);
  const updateArgs = ['update', '--cpus', '0.5', name];
  rows.push(['docker update --cpus', await time(() => execFileSync('docker', updateArgs)), await time(() => shell.run('docker', updateArgs))]);
  const execArgs = ['exec', name, 'cat', '/proc/self/cgroup'];
  rows.push(['docker exec … cat (a cgroup read)', await time(() => execFileSync('docker', execArgs)), await time(() => shell.run('docker', execArgs))]);
  rows.push(['CLI start-up: lab list vs docker ps', await time(() => execFileSync('docker', ['ps', '-q'])), await time(() => execFileSync(process.execPath, ['scripts/lab.ts', 'list']))]);
  console.log(`Mean of ${rounds} runs each, milliseconds; Node ${process.version}.\n`);
  console.log('| Operation | Raw (ms) | Lab runtime (ms) | Ratio |\n| --- | ---: | ---: | ---: |');
  for (const [label, raw, lab] of rows) console.log(`| ${label} | ${raw.toFixed(1)} | ${lab.toFixed(1)} | ${(lab / raw).toFixed(2)} |`);
} finally {
  execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
}
