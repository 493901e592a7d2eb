// Runs test layers in order and reports one line per layer: passed, failed or skipped with
// the reason. A layer that cannot run here is skipped out loud, never passed silently.
import { spawn } from 'node:child_process';

export type LayerOutcome = { status: 'passed'; detail?: string } | { status: 'skipped'; reason: string };

export interface Layer {
  name: string;
  /** Returns a reason when the layer cannot run on this machine. */
  skipReason?: () => Promise<string | null> | string | null;
  /** Throws (or a command exits non-zero) when the layer fails. */
  run: () => Promise<string | void>;
}

export interface LayerResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  detail: string;
  seconds: number;
}

export class CommandError extends Error {}

/** Runs a command with output shown, printing it first as a learner could type it. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const shown = [...Object.entries(env).map(([k, v]) => `${k}=${v}`), command, ...args].join(' ');
  console.log(`\n$ ${shown}`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (error) => reject(new CommandError(`${shown}: ${error.message}`)));
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new CommandError(`${shown} exited with ${signal ?? code}`)),
    );
  });
}

export async function runLayers(layers: Layer[], log: (line: string) => void = console.log): Promise<LayerResult[]> {
  const results: LayerResult[] = [];
  for (const layer of layers) {
    const started = performance.now();
    const seconds = () => Math.round((performance.now() - started) / 100) / 10;
    const reason = layer.skipReason ? await layer.skipReason() : null;
    if (reason) {
      results.push({ name: layer.name, status: 'skipped', detail: reason, seconds: 0 });
      log(`\n=== ${layer.name}: skipped: ${reason}`);
      continue;
    }
    log(`\n=== ${layer.name}: running`);
    try {
      const detail = (await layer.run()) ?? '';
      results.push({ name: layer.name, status: 'passed', detail, seconds: seconds() });
    } catch (error) {
      results.push({ name: layer.name, status: 'failed', detail: (error as Error).message, seconds: seconds() });
    }
  }
  return results;
}

export function summarize(results: LayerResult[]): string[] {
  const lines = results.map((r) => {
    if (r.status === 'skipped') return `${r.name}: skipped: ${r.detail}`;
    const detail = r.detail ? ` (${r.detail})` : '';
    return `${r.name}: ${r.status} in ${r.seconds}s${detail}`;
  });
  const count = (status: LayerResult['status']) => results.filter((r) => r.status === status).length;
  lines.push(`layers: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped`);
  return lines;
}
