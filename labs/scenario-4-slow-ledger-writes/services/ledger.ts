// The ledger: the payment service's record of every booking. Each POST /entries appends one
// entry to the journal in LEDGER_DIR and answers only once the entry is on disk (fdatasync),
// because a booking the ledger acknowledged must survive a crash.
// POST /entries        -> 201 { id, commitMs }
// GET  /stats          -> { entries, journalBytes, lastCommits: { count, p50Ms, p95Ms } }
import { closeSync, fdatasyncSync, fstatSync, openSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

const dir = process.env.LEDGER_DIR ?? '/var/lib/ledger';
const port = Number(process.env.PORT ?? 8080);
const journal = openSync(join(dir, 'journal.log'), 'a');
let entries = 0;
const recent: number[] = [];

const log = (line: string) => console.log(`${new Date().toISOString()} ledger: ${line}`);
const percentile = (values: number[], p: number) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
};

function commit(record: string): number {
  const started = performance.now();
  writeSync(journal, `${record}\n`);
  fdatasyncSync(journal);
  const ms = performance.now() - started;
  recent.push(ms);
  if (recent.length > 50) recent.shift();
  entries += 1;
  return ms;
}

const server = createServer((request, response) => {
  const reply = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(`${JSON.stringify(body)}\n`);
  };
  if (request.url === '/healthz') return reply(200, { status: 'ok' });
  if (request.url === '/stats') {
    return reply(200, {
      entries,
      journalBytes: fstatSync(journal).size,
      lastCommits: { count: recent.length, p50Ms: percentile(recent, 50), p95Ms: percentile(recent, 95) },
    });
  }
  if (request.url === '/entries' && request.method === 'POST') {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const id = `e-${Date.now()}-${entries + 1}`;
      const ms = commit(JSON.stringify({ id, at: new Date().toISOString(), booking: body.slice(0, 512) }));
      if (ms > 100) log(`entry ${id} took ${Math.round(ms)} ms to commit`);
      reply(201, { id, commitMs: Math.round(ms * 10) / 10 });
    });
    return;
  }
  reply(404, { error: `no route for ${request.method} ${request.url}` });
});

server.listen(port, '0.0.0.0', () => log(`journal ${join(dir, 'journal.log')}, listening on 0.0.0.0:${port}`));
process.on('SIGTERM', () => server.close(() => {
  closeSync(journal);
  process.exit(0);
}));
