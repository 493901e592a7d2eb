// Every image the labs use, pinned by tag and digest, in one list. Point the whole list at a
// mirror registry with one setting, LAB_IMAGE_MIRROR (see resolveImage in lib/images.ts).
// Digests were read from public pins of these tags; the kind workflow pulls by digest, so a
// wrong digest fails there rather than silently running other content.

export interface PinnedImage {
  /** Registry host and repository path, e.g. docker.io/library/busybox. */
  repository: string;
  tag: string;
  digest: string;
  /** Which labs use it, and for what. */
  usedBy: string;
}

export const images = {
  busybox: {
    repository: 'docker.io/library/busybox',
    tag: '1.37.0',
    digest: 'sha256:9db7b59979c38555a39def84a31fb98b5296952f9e3afd4f6f11f05b07adfab0',
    usedBy: 'Lab 2: the memory, CPU and right-sizing workloads (docker and kind parts)',
  },
  metricsServer: {
    repository: 'registry.k8s.io/metrics-server/metrics-server',
    tag: 'v0.8.1',
    digest: 'sha256:b2d2efaf5ac3b366ed0f839d2412a2c4279d4fc2a2a733f12c52133faed36c41',
    usedBy: 'Lab 2: the Metrics API that kubectl top and the HorizontalPodAutoscaler read (kind part)',
  },
  kindNode: {
    repository: 'docker.io/kindest/node',
    tag: 'v1.37.0',
    digest: 'sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
    usedBy: 'the lab cluster (npm run lab -- cluster up), from the kind v0.33.0 release notes',
  },
} satisfies Record<string, PinnedImage>;

export type ImageName = keyof typeof images;
