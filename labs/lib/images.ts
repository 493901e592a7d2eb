// Resolves a pinned image to the reference a lab uses. Upstream: repository:tag@digest. With
// LAB_IMAGE_MIRROR=host[/prefix], every image comes from the mirror instead, by tag:
// docker.io/library/busybox:1.37.0 becomes host/prefix/library/busybox:1.37.0. Mirrors are
// referenced by tag because copying an image into a mirror often changes its manifest digest
// (a multi-platform index copied as one platform). See docs/labs.md.
import { images, type ImageName, type PinnedImage } from '../images.ts';
import { EnvironmentError, UsageError } from './result.ts';
import type { Step, StepContext } from './lab.ts';

/** The mirror name that `npm run lab -- images local` builds into (see lib/local-images.ts). */
export const localMirror = 'module9.local';

export function mirrorPath(repository: string): string {
  const [host, ...path] = repository.split('/');
  return host!.includes('.') || host!.includes(':') ? path.join('/') : repository;
}

export function validateMirror(mirror: string): string {
  const trimmed = mirror.replace(/\/+$/, '');
  if (!/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(trimmed)) {
    throw new UsageError(
      `LAB_IMAGE_MIRROR="${mirror}" is not a registry host with an optional path. Use e.g. registry.example.com:5000/module9`,
    );
  }
  return trimmed;
}

export function resolveImage(image: PinnedImage, mirror = process.env.LAB_IMAGE_MIRROR): string {
  if (mirror) {
    const host = validateMirror(mirror);
    // A local build carries the version that is really inside it, not the upstream tag.
    const tag = host === localMirror && image.local ? image.local.tag : image.tag;
    return `${host}/${mirrorPath(image.repository)}:${tag}`;
  }
  return `${image.repository}:${image.tag}@${image.digest}`;
}

export function imageRef(name: ImageName, mirror = process.env.LAB_IMAGE_MIRROR): string {
  return resolveImage(images[name], mirror);
}

/**
 * Why a step cannot run here (an image that is neither present nor pullable), or null. Pulls
 * what is missing, so the first run of a step on a learner's machine fetches its images.
 */
export async function missingStepImages(ctx: Pick<StepContext, 'shell' | 'docker'>, step: Pick<Step, 'images'>): Promise<string | null> {
  for (const name of step.images ?? []) {
    const ref = imageRef(name);
    if (await ctx.docker.imageExists(ref)) continue;
    const image = images[name as ImageName] as PinnedImage;
    if (!image.local && process.env.LAB_IMAGE_MIRROR && validateMirror(process.env.LAB_IMAGE_MIRROR) === localMirror) {
      // Nothing to pull from: the local mirror is only what `images local` built.
      return `${image.repository}:${image.tag} has no local build (neither Debian nor npm packages it) and no registry is in use; proved with the upstream image in labs-kind.yml, job docker`;
    }
    const pulled = await ctx.shell.tryRun('docker', ['pull', '-q', ref], { quiet: true, timeoutSeconds: 600 });
    if (pulled.exitCode === 0) continue;
    const why = pulled.stderr.trim().split('\n').at(-1) ?? 'no answer';
    return `image ${ref} is not here and cannot be pulled (${why})${image.local ? '' : '; it has no local build from Debian or npm packages (docs/labs.md)'}`;
  }
  return null;
}

/** Throws an EnvironmentError naming the image and what to do, when a step's image is missing. */
export async function ensureStepImages(ctx: Pick<StepContext, 'shell' | 'docker'>, step: Pick<Step, 'images' | 'target'>): Promise<void> {
  if (step.target !== 'docker') return;
  const missing = await missingStepImages(ctx, step);
  if (missing) {
    throw new EnvironmentError(
      missing,
      'Check your network and `docker pull` it by hand, or point LAB_IMAGE_MIRROR at a registry that has it; without a registry, `npm run lab -- images local` builds the images it can.',
    );
  }
}
