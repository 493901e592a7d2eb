// A small static file server for the built site, used by the browser tests and the bench.
// It serves `dist/` under the site's base path, the way GitHub Pages does: `/x/` serves
// `x/index.html`, `/x` redirects to `/x/` when `x` is a folder, and a miss gets `404.html`
// with status 404. It binds to 127.0.0.1 only.
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

export interface RunningServer {
  origin: string;
  /** Origin plus base path, ending in `/`. */
  root: string;
  close(): Promise<void>;
}

/** Maps a request path to a file under `dir`, or null when the path is outside `base`. */
export function resolveRequestPath(dir: string, base: string, urlPath: string): string | null {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const pathname = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  if (pathname !== prefix.slice(0, -1) && !pathname.startsWith(prefix)) return null;
  const relative = pathname.slice(prefix.length);
  const root = normalize(dir).replace(/[\\/]$/, '');
  const file = normalize(join(root, relative));
  if (file !== root && !file.startsWith(root + sep)) return null;
  return file;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

export async function startStaticServer(dir: string, base = '/', port = 0): Promise<RunningServer> {
  if (!(await isFile(join(dir, 'index.html')))) {
    throw new Error(`${dir}/index.html not found. Build the site first: npm run build`);
  }
  const server: Server = createServer(async (req, res) => {
    const urlPath = req.url ?? '/';
    const file = resolveRequestPath(dir, base, urlPath);
    let target: string | null = null;
    if (file !== null) {
      if (await isFile(file)) target = file;
      else if (await isDirectory(file)) {
        if (!urlPath.split('?')[0]!.endsWith('/')) {
          res.writeHead(301, { location: `${urlPath.split('?')[0]}/` }).end();
          return;
        }
        if (await isFile(join(file, 'index.html'))) target = join(file, 'index.html');
      }
    }
    const status = target ? 200 : 404;
    const body = await readFile(target ?? join(dir, '404.html')).catch(() => Buffer.from('Not found'));
    res.writeHead(status, {
      'content-type': contentTypes[extname(target ?? '404.html')] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`Port ${port} on 127.0.0.1 is in use. Stop whatever serves it, or pick another port.`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('static server has no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    origin,
    root: origin + (base.endsWith('/') ? base : `${base}/`),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
