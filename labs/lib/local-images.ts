// Builds the lab images locally for machines with no registry (our CI), under the name the
// mirror setting gives them (LAB_IMAGE_MIRROR=module9.local -> module9.local/library/busybox:…).
// The labs then run through the same override path a learner's mirror would use. Each image is
// a root filesystem assembled from files this machine has, then `docker import`ed:
// - busybox: Debian's busybox-static, with its applets linked;
// - node: the Node.js binary of the npm `node` package this repository pins, with the shared
//   libraries `ldd` names, plus busybox for a shell;
// - prometheus, node-exporter, alertmanager: the binaries of Debian 12's packages, fetched with
//   `apt-get download` (nothing is installed on the host), with their libraries and busybox.
// Where an upstream image has no such source (cAdvisor, Grafana, Jaeger, the OpenTelemetry
// Collector), nothing is built, and steps that need it are skipped with that reason.
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { images, type ImageName, type PinnedImage } from '../images.ts';
import { localMirror, resolveImage } from './images.ts';
import { EnvironmentError } from './result.ts';
import { createShell, type Printer } from './shell.ts';

const busyboxBinary = '/bin/busybox';
const nodeBinary = new URL('../../node_modules/node/bin/node', import.meta.url).pathname;

interface LocalBuild {
  image: ImageName;
  /** Files to copy: [source on this machine, path in the image]. */
  files: (debDir: string) => [string, string][];
  /** Data files the program reads at run time (templates), copied without looking for libraries. */
  dataFiles?: (debDir: string) => [string, string][];
  /** Debian packages whose files are needed (downloaded, not installed). */
  debs?: string[];
  entrypoint?: string[];
  env?: string[];
}

/** The shared libraries an ELF binary loads, as `ldd` resolves them on this machine. */
export function sharedLibraries(lddOutput: string): string[] {
  const libs = new Set<string>();
  for (const line of lddOutput.split('\n')) {
    const resolved = /=>\s+(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
    if (resolved) libs.add(resolved);
  }
  return [...libs];
}

export const localBuilds: LocalBuild[] = [
  { image: 'busybox', files: () => [] },
  {
    image: 'node',
    files: () => [[nodeBinary, '/usr/local/bin/node']],
    env: ['PATH=/usr/local/bin:/bin'],
  },
  {
    image: 'prometheus',
    debs: ['prometheus'],
    files: (deb) => [[join(deb, 'usr/bin/prometheus'), '/bin/prometheus'], [join(deb, 'usr/bin/promtool'), '/bin/promtool']],
    entrypoint: ['/bin/prometheus'],
  },
  {
    image: 'nodeExporter',
    debs: ['prometheus-node-exporter'],
    files: (deb) => [[join(deb, 'usr/bin/prometheus-node-exporter'), '/bin/node_exporter']],
    entrypoint: ['/bin/node_exporter'],
  },
  {
    image: 'alertmanager',
    debs: ['prometheus-alertmanager'],
    files: (deb) => [[join(deb, 'usr/bin/prometheus-alertmanager'), '/bin/alertmanager'], [join(deb, 'usr/bin/amtool'), '/bin/amtool']],
    // Debian's build reads its notification templates from here instead of embedding them, and
    // will not start without default.tmpl.
    dataFiles: (deb) => ['default.tmpl', 'email.tmpl'].map((f): [string, string] => [join(deb, 'usr/share/prometheus/alertmanager', f), `/usr/share/prometheus/alertmanager/${f}`]),
    entrypoint: ['/bin/alertmanager'],
  },
];

function debCache(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'module9-labs', 'debs');
}

/** Downloads (once) and unpacks Debian packages into one folder; returns it. */
function unpackDebs(packages: string[], into: string): void {
  const cache = debCache();
  mkdirSync(cache, { recursive: true });
  for (const pkg of packages) {
    const has = () => readdirSync(cache).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (!has()) execFileSync('apt-get', ['download', pkg], { cwd: cache, stdio: 'pipe' });
    execFileSync('dpkg-deb', ['-x', join(cache, has()!), into]);
  }
}

function addFile(root: string, source: string, target: string, mode = 0o755): void {
  const dest = join(root, target);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(source, dest);
  chmodSync(dest, mode);
}

async function buildOne(build: LocalBuild, mirror: string, print: Printer): Promise<string> {
  const ref = resolveImage(images[build.image], mirror);
  const root = mkdtempSync(join(tmpdir(), 'module9-image-'));
  const debDir = join(root, '.debs');
  try {
    if (build.debs) unpackDebs(build.debs, debDir);
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'tmp'), { mode: 0o1777 });
    chmodSync(join(root, 'tmp'), 0o1777);
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nnode:x:1000:1000:node:/home/node:/bin/sh\n');
    writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\nnode:x:1000:\n');
    copyFileSync(busyboxBinary, join(root, 'bin', 'busybox'));
    const applets = execFileSync(busyboxBinary, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const applet of applets) if (applet !== 'busybox') symlinkSync('busybox', join(root, 'bin', applet));
    for (const [source, target] of build.files(debDir)) {
      if (!existsSync(source)) throw new Error(`${source} is missing`);
      addFile(root, source, target);
      for (const lib of sharedLibraries(execFileSync('ldd', [source], { encoding: 'utf8' }))) {
        if (!existsSync(join(root, lib))) addFile(root, lib, lib);
      }
    }
    for (const [source, target] of build.dataFiles?.(debDir) ?? []) {
      if (!existsSync(source)) throw new Error(`${source} is missing`);
      addFile(root, source, target, 0o644);
    }
    rmSync(debDir, { recursive: true, force: true });
    const changes = [`ENV ${(build.env ?? ['PATH=/bin']).join(' ')}`];
    if (build.entrypoint) changes.push(`ENTRYPOINT ${JSON.stringify(build.entrypoint)}`);
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 1024 * 1024 * 1024 });
    await createShell(print).run('docker', ['import', ...changes.flatMap((c) => ['--change', c]), '-', ref], { input: tar, quiet: true });
    return ref;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Builds every image that has a local source; reports the ones that could not be built. */
export async function buildLocalImages(print: Printer, mirror = process.env.LAB_IMAGE_MIRROR ?? localMirror): Promise<string[]> {
  if (!existsSync(busyboxBinary)) {
    throw new EnvironmentError(`${busyboxBinary} not found: every local image gets its shell from it.`, 'Install it: apt-get install busybox-static');
  }
  const built: string[] = [];
  for (const build of localBuilds) {
    try {
      const ref = await buildOne(build, mirror, print);
      built.push(ref);
      print(`built ${ref} (${(images[build.image] as PinnedImage).local?.from ?? `from ${busyboxBinary}`})`);
    } catch (cause) {
      print(`not built: ${build.image}: ${(cause as Error).message.split('\n')[0]} (steps that need it will be skipped)`);
    }
  }
  const none = (Object.keys(images) as ImageName[]).filter((name) => !localBuilds.some((b) => b.image === name));
  if (none.length > 0) print(`no local source (steps that need them are skipped here): ${none.join(', ')}`);
  print(`use them with LAB_IMAGE_MIRROR=${mirror}`);
  return built;
}
