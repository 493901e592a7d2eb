// Builds a lab's own Node.js service into an image: the TypeScript entry file and its npm
// dependencies are bundled into one file with esbuild, then copied onto the pinned node image
// (the local build of it on machines with no registry). The image carries the lab label, so
// cleanup removes it with the lab's containers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { labLabel } from './docker.ts';
import { imageRef } from './images.ts';
import type { StepContext } from './lab.ts';

export interface AppImage {
  /** Business-domain name, e.g. "checkout": the image becomes module9/<lab>-<name>:local. */
  name: string;
  /** Absolute path of the service's entry file (TypeScript or JavaScript). */
  entry: string;
  /** Environment baked into the image (the lab can still override it with docker run -e). */
  env?: Record<string, string>;
}

export function appImageRef(labId: string, name: string): string {
  return `module9/${labId}-${name}:local`;
}

/** The Dockerfile for a bundled service: no package manager, no build step inside Docker. */
export function appDockerfile(base: string, env: Record<string, string> = {}): string {
  const lines = [`FROM ${base}`, 'COPY app.cjs /app/app.cjs'];
  for (const [key, value] of Object.entries(env)) lines.push(`ENV ${key}=${JSON.stringify(value)}`);
  lines.push('USER 1000:1000', 'ENTRYPOINT ["node", "/app/app.cjs"]');
  return `${lines.join('\n')}\n`;
}

/** Bundles and builds the service image (cheap when nothing changed: Docker caches the layers). */
export async function buildAppImage(ctx: Pick<StepContext, 'shell' | 'labId'>, app: AppImage): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'module9-app-'));
  const ref = appImageRef(ctx.labId, app.name);
  try {
    await build({
      entryPoints: [app.entry],
      outfile: join(dir, 'app.cjs'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node24',
      logLevel: 'error',
    });
    writeFileSync(join(dir, 'Dockerfile'), appDockerfile(imageRef('node'), app.env));
    await ctx.shell.run('docker', ['build', '-q', '--label', `${labLabel}=${ctx.labId}`, '-t', ref, dir], { quiet: true });
    return ref;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
