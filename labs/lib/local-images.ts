// Builds the lab images locally for machines with no registry (our CI): busybox from Debian's
// busybox-static, imported under the name the mirror setting gives it
// (LAB_IMAGE_MIRROR=module9.local -> module9.local/library/busybox:1.37.0). The labs then run
// through the same override path a learner's mirror would use.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { images } from '../images.ts';
import { resolveImage } from './images.ts';
import { EnvironmentError } from './result.ts';
import { createShell, type Printer } from './shell.ts';

export const localMirror = 'module9.local';
const busyboxBinary = '/bin/busybox';

export async function buildLocalImages(print: Printer, mirror = process.env.LAB_IMAGE_MIRROR ?? localMirror): Promise<string[]> {
  if (!existsSync(busyboxBinary)) {
    throw new EnvironmentError(`${busyboxBinary} not found: the local busybox image is built from it.`, 'Install it: apt-get install busybox-static');
  }
  const shell = createShell(print);
  const ref = resolveImage(images.busybox, mirror);
  const root = mkdtempSync(join(tmpdir(), 'module9-busybox-'));
  try {
    mkdirSync(join(root, 'bin'));
    mkdirSync(join(root, 'tmp'));
    execFileSync('cp', [busyboxBinary, join(root, 'bin', 'busybox')]);
    const applets = execFileSync(busyboxBinary, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const applet of applets) if (applet !== 'busybox') symlinkSync('busybox', join(root, 'bin', applet));
    const tar = execFileSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 * 1024 * 1024 });
    await shell.run('docker', ['import', '--change', 'ENV PATH=/bin', '-', ref], { input: tar });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  print(`built ${ref} from ${busyboxBinary}; use it with LAB_IMAGE_MIRROR=${mirror}`);
  return [ref];
}
