import { describe, expect, it } from 'vitest';
import { images } from '../images.ts';
import { appDockerfile } from './app-image.ts';
import { localMirror, missingStepImages, resolveImage } from './images.ts';
import { localBuilds, sharedLibraries } from './local-images.ts';

describe('resolveImage', () => {
  it('pins upstream images by tag and digest', () => {
    expect(resolveImage(images.prometheus, undefined)).toBe(`docker.io/prom/prometheus:v3.14.0@${images.prometheus.digest}`);
  });
  it('names the real version of a local build, and the upstream tag on any other mirror', () => {
    expect(resolveImage(images.prometheus, localMirror)).toBe('module9.local/prom/prometheus:2.42.0-debian12');
    expect(resolveImage(images.prometheus, 'registry.example.com/m9')).toBe('registry.example.com/m9/prom/prometheus:v3.14.0');
    expect(resolveImage(images.kindNode, localMirror)).toBe('module9.local/kindest/node:v1.37.0');
  });
  it('every pinned image has a sha256 digest', () => {
    for (const image of Object.values(images)) expect(image.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('localBuilds', () => {
  it("gives Debian's Alertmanager the templates it reads at start-up", () => {
    const alertmanager = localBuilds.find((b) => b.image === 'alertmanager')!;
    expect(alertmanager.dataFiles?.('/deb').map(([, target]) => target)).toContain('/usr/share/prometheus/alertmanager/default.tmpl');
  });
});

describe('sharedLibraries', () => {
  it('reads the resolved paths out of ldd output', () => {
    const ldd = `\tlinux-vdso.so.1 (0x00007ffc)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f42)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f42)\n`;
    expect(sharedLibraries(ldd)).toEqual(['/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
  });
});

describe('appDockerfile', () => {
  it('copies the bundle onto the base and runs it as an unprivileged user', () => {
    expect(appDockerfile('node:24', { PORT: '8080' })).toBe(
      'FROM node:24\nCOPY app.cjs /app/app.cjs\nENV PORT="8080"\nUSER 1000:1000\nENTRYPOINT ["node", "/app/app.cjs"]\n',
    );
  });
});

describe('missingStepImages', () => {
  it('names an image with no local build without trying a pull, when the local mirror is in use', async () => {
    const calls: string[][] = [];
    const ctx = {
      docker: { imageExists: async () => false },
      shell: { tryRun: async (_c: string, args: string[]) => (calls.push(args), { exitCode: 1, stdout: '', stderr: 'no' }) },
    } as unknown as Parameters<typeof missingStepImages>[0];
    const before = process.env.LAB_IMAGE_MIRROR;
    process.env.LAB_IMAGE_MIRROR = localMirror;
    try {
      expect(await missingStepImages(ctx, { images: ['grafana'] })).toMatch(/^docker\.io\/grafana\/grafana:[^ ]+ has no local build/);
      expect(calls).toEqual([]);
      expect(await missingStepImages(ctx, { images: ['prometheus'] })).toMatch(/module9\.local\/prom\/prometheus:2\.42\.0-debian12 is not here and cannot be pulled/);
    } finally {
      if (before === undefined) delete process.env.LAB_IMAGE_MIRROR;
      else process.env.LAB_IMAGE_MIRROR = before;
    }
  });
});
