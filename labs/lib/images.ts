// Resolves a pinned image to the reference a lab uses. Upstream: repository:tag@digest. With
// LAB_IMAGE_MIRROR=host[/prefix], every image comes from the mirror instead, by tag:
// docker.io/library/busybox:1.37.0 becomes host/prefix/library/busybox:1.37.0. Mirrors are
// referenced by tag because copying an image into a mirror often changes its manifest digest
// (a multi-platform index copied as one platform). See docs/labs.md.
import { images, type ImageName, type PinnedImage } from '../images.ts';
import { UsageError } from './result.ts';

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
  if (mirror) return `${validateMirror(mirror)}/${mirrorPath(image.repository)}:${image.tag}`;
  return `${image.repository}:${image.tag}@${image.digest}`;
}

export function imageRef(name: ImageName, mirror = process.env.LAB_IMAGE_MIRROR): string {
  return resolveImage(images[name], mirror);
}
