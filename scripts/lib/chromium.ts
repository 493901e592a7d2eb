// Finds the system Chromium. Test tools must never download a browser of their own.
import { accessSync, constants } from 'node:fs';

const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium executable to use, or null. `CHROMIUM_PATH` overrides the search. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const paths = env.CHROMIUM_PATH ? [env.CHROMIUM_PATH] : candidates;
  for (const path of paths) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // try the next one
    }
  }
  return null;
}

/** Flags for a headless Chromium on a machine with no network but loopback. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
