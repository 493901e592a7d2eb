// Ctrl-C during `npm run lab -- start` must clean up what the lab created (labs/lib/cli.ts).
// This proves it for real: start a Docker lab, interrupt it the way a terminal does (SIGINT to
// the whole process group, so the docker client being run is interrupted too) once the lab's
// first container exists, then require exit code 130 and nothing labelled left behind.
// Usage: node scripts/lab-interrupt.ts [<lab>]   (run by the docker E2E layer of npm test)
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerClient } from '../labs/lib/docker.ts';
import { createShell } from '../labs/lib/shell.ts';

const labId = process.argv[2] ?? 'lab-2-resource-optimization';
const timeoutMs = 120_000;
// The runtime's own label query (quiet), the same one cleanup and the solvability test use.
const docker = createDockerClient(createShell(() => {}));
const labelled = () => docker.listLabelled(labId);

function fail(message: string): never {
  console.error(`lab-interrupt: ${message}`);
  process.exit(1);
}

if ((await labelled()).length > 0) fail(`${labId} already has labelled objects; run: npm run lab -- cleanup ${labId}`);

// Progress goes to a throwaway state directory, so a learner's own progress is untouched.
const env = { ...process.env, LAB_STATE_DIR: mkdtempSync(join(tmpdir(), 'module9-interrupt-')) };
const child = spawn(process.execPath, ['scripts/lab.ts', 'start', labId, '--target', 'docker'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
child.stdout.on('data', (chunk) => void (output += chunk));
child.stderr.on('data', (chunk) => void (output += chunk));
const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));

const started = Date.now();
let interrupted = false;
while (Date.now() - started < timeoutMs) {
  if (child.exitCode !== null) break;
  if ((await labelled()).some((object) => object.startsWith('container '))) {
    process.kill(-child.pid!, 'SIGINT');
    interrupted = true;
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
if (!interrupted) {
  process.kill(-child.pid!, 'SIGKILL');
  fail(`no container of ${labId} appeared within ${timeoutMs / 1000} s (or start ended first); its output:\n${output}`);
}

const timer = setTimeout(() => {
  process.kill(-child.pid!, 'SIGKILL');
  fail(`start did not exit within 60 s of Ctrl-C; its output:\n${output}`);
}, 60_000);
const code = await exited;
clearTimeout(timer);
if (code !== 130) fail(`start exited with ${code} after Ctrl-C, not 130; its output:\n${output}`);
if (!output.includes('Interrupted: cleaning up')) fail(`start did not say it was cleaning up; its output:\n${output}`);
const left = await labelled();
if (left.length > 0) fail(`Ctrl-C left ${left.join(', ')} of ${labId} behind; its output:\n${output}`);
console.log(`lab-interrupt: Ctrl-C during start ${labId} exited 130 and left nothing labelled`);
