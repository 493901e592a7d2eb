// Lab 5, Docker part: load-test the catalogue API with Artillery, find where it saturates, fix
// the bottleneck (a new connection to the inventory service for every request), and prove the
// fix with a regression gate (Artillery's ensure checks) that fails the previous release and
// passes the fixed one. The catalogue and the inventory share one network namespace, that of
// the container m9-lab5-pod, like the containers of a Kubernetes Pod: the catalogue calls the
// inventory on 127.0.0.1, and every load test goes to a port published on the host's
// 127.0.0.1. Checks read Artillery's JSON report and the inventory's /stats counters.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { buildAppImage } from '../lib/app-image.ts';
import type { ContainerInspect } from '../lib/docker.ts';
import { imageRef } from '../lib/images.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { error, fail, pass, type CheckResult } from '../lib/result.ts';
import { waitUntil } from '../lib/wait.ts';
import { acceptsRate, answerRate, describe, gateProblems, ms, readReport, runArtillery, saturation, summarise, unreachable, type ArtilleryReport } from './artillery.ts';

export const labId = 'lab-5-performance-testing';
export const names = { pod: 'm9-lab5-pod', inventory: 'm9-lab5-inventory', catalog: 'm9-lab5-catalog', previous: 'm9-lab5-catalog-v1' };
export const ports = { catalog: 8080, previous: 8081, inventory: 9090 };
/** The latency objective of the lab: p95 under 500 ms. */
export const sloMs = 500;
/** The pool size the solution uses; any keep-alive pool passes. */
export const solvedPoolSize = 16;

const here = new URL('.', import.meta.url).pathname;
export const paths = {
  ramp: `${here}artillery/ramp.yml`,
  gateTemplate: `${here}artillery/gate.yml`,
  work: `${here}work`,
  rampReport: `${here}work/ramp.json`,
  gate: `${here}work/gate.yml`,
  gatePrevious: `${here}work/gate-previous.json`,
  gateCurrent: `${here}work/gate-current.json`,
};
/** The same paths as the learner types them, from the repository root. */
export const shown = {
  ramp: 'labs/lab-5-performance-testing/artillery/ramp.yml',
  rampReport: 'labs/lab-5-performance-testing/work/ramp.json',
  gate: 'labs/lab-5-performance-testing/work/gate.yml',
};

type Inspect = ContainerInspect & { HostConfig: ContainerInspect['HostConfig'] & { NetworkMode: string } };
type Ctx = Pick<StepContext, 'docker' | 'shell' | 'labId'>;

async function appImages(ctx: Ctx): Promise<{ catalog: string; inventory: string }> {
  return {
    catalog: await buildAppImage(ctx, { name: 'catalog', entry: `${here}services/catalog.ts` }),
    inventory: await buildAppImage(ctx, { name: 'inventory', entry: `${here}services/inventory.ts` }),
  };
}

/** docker run options of a catalogue in the pod: how the learner recreates it, too. */
export function catalogOptions(poolSize: number, port = ports.catalog, extraEnv: string[] = []): string[] {
  return ['--network', `container:${names.pod}`, '--cpus', '1', '--memory', '128m', '-e', `PORT=${port}`, '-e', `INVENTORY_POOL_SIZE=${poolSize}`, ...extraEnv.flatMap((e) => ['-e', e])];
}

/** The host address of a port the pod publishes, e.g. 127.0.0.1:32768; null when not published. */
async function hostAddress(ctx: Pick<StepContext, 'shell'>, port: number): Promise<string | null> {
  const result = await ctx.shell.tryRun('docker', ['port', names.pod, `${port}/tcp`], { quiet: true });
  if (result.exitCode !== 0) return null;
  return result.stdout.split('\n').find((line) => line.startsWith('127.0.0.1:'))?.trim() ?? null;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

async function waitHealthy(ctx: Ctx, port: number, name: string): Promise<void> {
  await waitUntil(async () => {
    const address = await hostAddress(ctx, port);
    return address !== null && (await answers(`http://${address}/healthz`));
  }, `${name} to answer on port ${port}`, { timeoutMs: 60_000 });
}

async function runCatalog(ctx: Ctx, name: string, image: string, poolSize: number, port: number, extraEnv: string[] = []): Promise<void> {
  await ctx.docker.removeContainer(name);
  await ctx.docker.runDetached(ctx.labId, name, catalogOptions(poolSize, port, extraEnv), image, []);
  await waitHealthy(ctx, port, name);
}

/**
 * The pod (m9-lab5-pod, busybox holding the network namespace and the published ports), the
 * inventory, the catalogue with the given pool size, and for the gate step the previous release
 * (no pool) on port 8081. Recreated from scratch, so the step starts the same every time.
 */
export async function startServices(ctx: Ctx, { poolSize, withPrevious }: { poolSize: number; withPrevious: boolean }): Promise<void> {
  const image = await appImages(ctx);
  for (const name of [names.previous, names.catalog, names.inventory, names.pod]) await ctx.docker.removeContainer(name);
  const publish = Object.values(ports).flatMap((port) => ['-p', `127.0.0.1::${port}`]);
  await ctx.docker.runDetached(ctx.labId, names.pod, publish, imageRef('busybox'), ['sleep', '86400']);
  await ctx.docker.runDetached(ctx.labId, names.inventory, ['--network', `container:${names.pod}`, '--memory', '128m'], image.inventory, []);
  await runCatalog(ctx, names.catalog, image.catalog, poolSize, ports.catalog);
  if (withPrevious) await runCatalog(ctx, names.previous, image.catalog, 0, ports.previous);
}

/** The catalogue's address, or an error result that says what to do. */
async function reachableCatalog(ctx: Ctx, port: number, name: string, step: string): Promise<{ url: string } | { result: CheckResult }> {
  const address = await hostAddress(ctx, port);
  const url = address ? `http://${address}` : null;
  if (!url || !(await answers(`${url}/healthz`))) {
    return {
      result: error(
        `${name} does not answer on 127.0.0.1 (docker port ${names.pod} ${port}/tcp gives ${address ?? 'nothing'}), so there is nothing to load-test.`,
        `Check it with: docker ps -a --filter name=m9-lab5 and docker logs ${name}. To start the step again: npm run lab -- start ${labId} --from ${step}`,
      ),
    };
  }
  return { url };
}

const unreachableReport = (report: ArtilleryReport, what: string, step: string): CheckResult =>
  error(
    `${what}: ${summarise(report.aggregate).unanswered} of ${summarise(report.aggregate).requests} requests got no answer at all (connection refused or reset), so the report says nothing about the catalogue.`,
    `Check that the containers run (docker ps --filter name=m9-lab5) and that --target is http://$(docker port ${names.pod} 8080/tcp); to start the step again: npm run lab -- start ${labId} --from ${step}`,
  );

// --- Step 1: the saturation point ---

const saturationQuestion = `At what request rate does the catalogue saturate, that is, where does its p95 latency first go above ${sloMs} ms?`;

export function judgeSaturation(report: ArtilleryReport | null, catalogStartedAt: number, answer: string | undefined): CheckResult {
  if (!report) return fail('no-report', `There is no ramp report at ${shown.rampReport} yet. Run the ramp with --output ${shown.rampReport} (the command is in the goal), then answer.`);
  if ((report.aggregate.firstMetricAt ?? 0) < catalogStartedAt) {
    return fail('stale-report', `${shown.rampReport} is from a run before the current catalogue container started. Run the ramp again.`);
  }
  if (unreachable(report)) return unreachableReport(report, `The ramp in ${shown.rampReport} could not reach the catalogue`, 'saturation-point');
  const sat = saturation(report, sloMs);
  if (!sat.firstBad) {
    const top = Math.max(0, ...sat.periods.map((p) => p.requestRate));
    return fail('no-saturation', `No 10-second period of this run had p95 above ${sloMs} ms (the highest request rate was ${top}/s). Run the ramp as given: it climbs past the point where the catalogue saturates.`);
  }
  if (answer === undefined) return fail('no-answer', `The report is there. ${saturationQuestion} Answer with: npm run lab -- answer "<requests per second>"`);
  const rate = answerRate(answer);
  if (rate === null) return fail('wrong-answer', `"${answer}" has no number in it. Answer with a request rate, for example: npm run lab -- answer "25"`);
  if (!acceptsRate(rate, sat)) {
    return fail('wrong-answer', `${rate} requests per second is not where your report shows the catalogue saturating. For each 10-second period, compare http.request_rate with the p95 of http.response_time.`);
  }
  const before = sat.lastGood ? `p95 was ${ms(sat.lastGood.p95)} at ${sat.lastGood.requestRate}/s, then ` : '';
  return pass(`${rate}/s agrees with your report: ${before}${ms(sat.firstBad.p95)} at ${sat.firstBad.requestRate}/s, above the ${sloMs} ms objective.`);
}

async function catalogStartedAt(ctx: Pick<StepContext, 'docker'>): Promise<number | null> {
  const c = await ctx.docker.inspect(names.catalog);
  return c?.State.Running ? Date.parse(c.State.StartedAt) : null;
}

// --- Step 2: the connection pool ---

export interface InventoryStats {
  connections: number;
  setups: number;
  requests: number;
}

async function inventoryStats(url: string): Promise<InventoryStats> {
  const res = await fetch(`${url}/stats`, { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as InventoryStats;
}

export const probeRequests = 40;

/** Sends `count` requests, `concurrency` at a time; returns their status codes and durations. */
async function probe(url: string, count = probeRequests, concurrency = 4): Promise<{ status: number; ms: number }[]> {
  const results: { status: number; ms: number }[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const started = performance.now();
      try {
        const res = await fetch(`${url}/products/sku-${(i % 100) + 1}`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        results.push({ status: res.status, ms: performance.now() - started });
      } catch {
        results.push({ status: 0, ms: performance.now() - started });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** New inventory connections per catalogue request, from the /stats counters around a probe. */
export function judgeReuse(before: InventoryStats, after: InventoryStats, statuses: number[]): CheckResult {
  const requests = statuses.length;
  const failed = statuses.filter((s) => s < 200 || s > 299).length;
  // The /stats requests themselves may open up to two connections of their own.
  const opened = Math.max(0, after.connections - before.connections - 2);
  const served = after.requests - before.requests;
  if (opened > requests / 2) {
    return fail('new-connection-per-request', `${requests} requests to the catalogue opened ${opened} new connections to the inventory (each one set up before it can be used). The catalogue does not keep its connections.`);
  }
  if (failed > 0 || served < requests) return fail('probe-errors', `${failed} of ${requests} requests to the catalogue failed (the inventory served ${served}). Look at docker logs ${names.catalog}.`);
  return pass(`${requests} requests to the catalogue used ${opened} new inventory connection(s): connections are kept and reused.`);
}

async function checkPool(ctx: StepContext): Promise<CheckResult> {
  const c = (await ctx.docker.inspect(names.catalog)) as Inspect | null;
  if (!c) return fail('catalog-missing', `There is no container ${names.catalog}. Recreate it in the pod (--network container:${names.pod}), with the lab label.`);
  if (!c.State.Running) return fail('not-running', `${names.catalog} is ${c.State.Status} (exit code ${c.State.ExitCode}). Look at docker logs ${names.catalog}.`);
  const pod = await ctx.docker.inspect(names.pod);
  if (!pod?.State.Running) return error(`The pod container ${names.pod} is not running, so the catalogue has no network.`, `Start the step again: npm run lab -- start ${labId} --from connection-pool`);
  if (c.HostConfig.NetworkMode !== `container:${pod.Id}`) {
    return fail('not-in-pod', `${names.catalog} is on network "${c.HostConfig.NetworkMode}", not in ${names.pod}'s network namespace, so it cannot reach the inventory on 127.0.0.1. Recreate it with --network container:${names.pod}.`);
  }
  const catalog = await reachableCatalog(ctx, ports.catalog, names.catalog, 'connection-pool');
  if ('result' in catalog) return catalog.result;
  const inventoryAddress = await hostAddress(ctx, ports.inventory);
  if (!inventoryAddress) return error(`${names.pod} does not publish the inventory port ${ports.inventory}.`, `Start the step again: npm run lab -- start ${labId} --from connection-pool`);
  const inventory = `http://${inventoryAddress}`;
  try {
    const before = await inventoryStats(inventory);
    const results = await probe(catalog.url);
    const after = await inventoryStats(inventory);
    return judgeReuse(before, after, results.map((r) => r.status));
  } catch (cause) {
    return error(`The inventory's /stats at ${inventory} did not answer: ${(cause as Error).message}`, `Check it with: docker logs ${names.inventory}; to start the step again: npm run lab -- start ${labId} --from connection-pool`);
  }
}

// --- Step 3: the regression gate ---

/** The ensure block of the solution: p95 under the objective, and at least 99% 2xx responses. */
export const solutionEnsure = {
  thresholds: [{ 'http.response_time.p95': sloMs }],
  conditions: [{ expression: 'http.codes.200 / http.requests >= 0.99' }],
};

export function gateWith(ensure: unknown): string {
  const script = parse(readFileSync(paths.gateTemplate, 'utf8')) as { config: Record<string, unknown> };
  script.config.plugins = { ensure };
  return stringify(script);
}

export function judgeGate(previous: { exitCode: number; report: ArtilleryReport | null }, current: { exitCode: number; report: ArtilleryReport | null } | null): CheckResult {
  if (!previous.report) return error('Artillery ran the gate against the previous release but wrote no report.', `Run it yourself to see why: npx artillery run ${shown.gate}`);
  if (unreachable(previous.report)) return unreachableReport(previous.report, 'The gate could not reach the previous release', 'regression-gate');
  const before = summarise(previous.report.aggregate);
  if (previous.exitCode === 0) {
    return fail('gate-misses-regression', `The gate passed against the previous release (${names.previous}: ${describe(before)}). A regression gate must fail that build. Tighten the checks in ${shown.gate}.`);
  }
  if (!current) return error('The gate did not run against the fixed catalogue.', 'Run the check again.');
  if (!current.report) return error('Artillery ran the gate against the fixed catalogue but wrote no report.', `Run it yourself to see why: npx artillery run ${shown.gate}`);
  if (unreachable(current.report)) return unreachableReport(current.report, 'The gate could not reach the fixed catalogue', 'regression-gate');
  const after = summarise(current.report.aggregate);
  if (current.exitCode !== 0) {
    return fail('gate-fails-fix', `The gate failed the fixed catalogue too (${names.catalog}: ${describe(after)}; Artillery exit code ${current.exitCode}). A gate that fails every build blocks nothing useful: set limits the fixed service meets with room to spare.`);
  }
  return pass(`The gate fails the previous release (${describe(before)}) and passes the fixed one (${describe(after)}).`);
}

async function checkGate(ctx: StepContext): Promise<CheckResult> {
  if (!existsSync(paths.gate)) return fail('no-gate-file', `${shown.gate} is missing. Start the step again to get it: npm run lab -- start ${labId} --from regression-gate`);
  const problem = gateProblems(readFileSync(paths.gate, 'utf8'));
  if (problem) return fail(problem.code, problem.reason);
  const previous = await reachableCatalog(ctx, ports.previous, names.previous, 'regression-gate');
  if ('result' in previous) return previous.result;
  const current = await reachableCatalog(ctx, ports.catalog, names.catalog, 'regression-gate');
  if ('result' in current) return current.result;
  const before = await runArtillery(ctx, paths.gate, paths.gatePrevious, previous.url);
  if (before.exitCode === 0 || !before.report || unreachable(before.report)) return judgeGate(before, null);
  return judgeGate(before, await runArtillery(ctx, paths.gate, paths.gateCurrent, current.url));
}

const gateTarget = (port: number) => `http://$(docker port ${names.pod} ${port}/tcp)`;

export const dockerSteps: Step[] = [
  {
    id: 'saturation-point',
    title: 'Find the saturation point with a ramp',
    target: 'docker',
    goal:
      `The catalogue API (${names.catalog}) runs in the pod ${names.pod}, next to the inventory ` +
      `service it calls. Run the Artillery ramp, which raises the arrival rate from 5 to 40 new ` +
      `requests per second over 30 s, and write its JSON report:\n` +
      `  npx artillery run --target ${gateTarget(ports.catalog)} --output ${shown.rampReport} ${shown.ramp}\n` +
      `Then read the report period by period. ${saturationQuestion}\n` +
      `Answer with: npm run lab -- answer "<requests per second>"`,
    question: saturationQuestion,
    images: ['busybox', 'node'],
    async setup(ctx) {
      ctx.answers.clear('saturation-point');
      mkdirSync(paths.work, { recursive: true });
      await startServices(ctx, { poolSize: 0, withPrevious: false });
      rmSync(paths.rampReport, { force: true });
    },
    async check(ctx) {
      const started = await catalogStartedAt(ctx);
      if (started === null) return error(`${names.catalog} is not running, so a report cannot be matched to it.`, `Start the step again: npm run lab -- start ${labId} --from saturation-point`);
      let report: ArtilleryReport | null;
      try {
        report = readReport(paths.rampReport);
      } catch (cause) {
        return fail('no-report', `${shown.rampReport} cannot be read as an Artillery report (${(cause as Error).message}). Run the ramp again with --output ${shown.rampReport}.`);
      }
      return judgeSaturation(report, started, ctx.answers.get('saturation-point'));
    },
    expected: { failsWith: 'no-report' },
    hints: {
      'no-report': [`Artillery writes its JSON report only with --output. The ramp takes about 35 s; the report appears at the end.`],
      'wrong-answer': [
        'Each entry of "intermediate" in the report covers about 10 seconds. Its rates["http.request_rate"] is the request rate, and summaries["http.response_time"].p95 the p95 latency in ms.',
        `Find the first period whose p95 is above ${sloMs} ms. Its request rate, or that of the period before it, is the saturation point.`,
      ],
      default: [`Artillery prints the same numbers every 10 seconds while it runs; the JSON report (${shown.rampReport}) keeps them in "intermediate".`],
    },
    cheats: [{ name: 'answers the nominal capacity without running the ramp', apply: async (ctx) => ctx.answers.set('saturation-point', '20') }],
    async solve(ctx) {
      const catalog = await reachableCatalog(ctx, ports.catalog, names.catalog, 'saturation-point');
      if ('result' in catalog) throw new Error(`the catalogue does not answer: ${JSON.stringify(catalog.result)}`);
      const run = await runArtillery(ctx, paths.ramp, paths.rampReport, catalog.url);
      if (!run.report) throw new Error(`Artillery wrote no report (exit ${run.exitCode}): ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
      const sat = saturation(run.report, sloMs);
      if (!sat.firstBad) throw new Error(`the ramp did not saturate the catalogue: ${JSON.stringify(sat.periods)}`);
      ctx.print(`$ npm run lab -- answer "${sat.firstBad.requestRate}"`);
      ctx.answers.set('saturation-point', String(sat.firstBad.requestRate));
    },
  },
  {
    id: 'connection-pool',
    title: 'Fix the bottleneck: keep connections to the backend',
    target: 'docker',
    goal:
      `Find out why the catalogue saturates so early. Compare the inventory's counters before and ` +
      `after a few requests (curl http://$(docker port ${names.pod} ${ports.inventory}/tcp)/stats) and ` +
      `read the catalogue's start-up line (docker logs ${names.catalog}). Then fix the bottleneck: ` +
      `recreate ${names.catalog} (same name, the label module9.lab=${labId}, ` +
      `--network container:${names.pod}) so that it keeps and reuses its connections to the ` +
      `inventory. The check sends ${probeRequests} requests and counts the new inventory connections.`,
    images: ['busybox', 'node'],
    async setup(ctx) {
      await startServices(ctx, { poolSize: 0, withPrevious: false });
    },
    check: checkPool,
    expected: { failsWith: 'new-connection-per-request' },
    hints: {
      'new-connection-per-request': [
        `In the inventory's /stats, "connections" counts TCP connections and "requests" the requests served. If both grow by the same amount, every request came on a new connection, and each new connection costs the inventory a setup (50 ms, one at a time).`,
        `The catalogue's first log line names its setting: INVENTORY_POOL_SIZE. 0 means a new connection per request; a number N means a keep-alive pool of up to N connections. Environment variables are fixed when a container is created.`,
        `docker rm -f ${names.catalog}, then docker run -d --name ${names.catalog} --label module9.lab=${labId} ${catalogOptions(solvedPoolSize).join(' ')} <catalog image> (docker inspect ${names.catalog} shows the image before you remove it).`,
      ],
      'not-in-pod': [`The catalogue reaches the inventory at 127.0.0.1:9090, which exists only in ${names.pod}'s network namespace: use --network container:${names.pod}.`],
      default: [`Start from the evidence: curl the inventory's /stats twice, with a request to the catalogue in between.`],
    },
    cheats: [
      { name: 'gives the catalogue two CPUs', apply: async ({ shell }) => void (await shell.run('docker', ['update', '--cpus', '2', names.catalog])) },
      {
        name: 'raises the inventory timeout to 30 s',
        apply: async (ctx) => {
          const image = await appImages(ctx);
          await runCatalog(ctx, names.catalog, image.catalog, 0, ports.catalog, ['INVENTORY_TIMEOUT_MS=30000']);
        },
      },
    ],
    async solve(ctx) {
      const image = await appImages(ctx);
      await runCatalog(ctx, names.catalog, image.catalog, solvedPoolSize, ports.catalog);
    },
  },
  {
    id: 'regression-gate',
    title: 'A regression gate with Artillery ensure',
    target: 'docker',
    goal:
      `Turn the objective into a gate. ${shown.gate} runs a steady 30 requests per second for 10 s. ` +
      `Add the ensure plugin (config.plugins.ensure) with a threshold on http.response_time.p95 ` +
      `(${sloMs} ms) and a check on errors, so that Artillery exits non-zero when either is missed. ` +
      `The fixed catalogue runs as ${names.catalog} (port ${ports.catalog}), the previous release, ` +
      `which opens a connection per request, as ${names.previous} (port ${ports.previous}). Try it:\n` +
      `  npx artillery run --target ${gateTarget(ports.previous)} ${shown.gate}; echo "exit $?"\n` +
      `  npx artillery run --target ${gateTarget(ports.catalog)} ${shown.gate}; echo "exit $?"\n` +
      `The check runs your gate against both, reads the JSON reports, and wants it to fail the ` +
      `previous release and pass the fixed one.`,
    images: ['busybox', 'node'],
    async setup(ctx) {
      mkdirSync(paths.work, { recursive: true });
      copyFileSync(paths.gateTemplate, paths.gate);
      await startServices(ctx, { poolSize: solvedPoolSize, withPrevious: true });
    },
    check: checkGate,
    expected: { failsWith: 'no-ensure' },
    hints: {
      'no-ensure': ['The ensure plugin is loaded by naming it under config.plugins: plugins: { ensure: { thresholds: [...], conditions: [...] } }.'],
      'no-error-check': [
        'In Artillery, an HTTP 5xx response does not fail the virtual user: vusers.failed and maxErrorRate count only requests that got no response. The catalogue answers 504 when the inventory is too slow.',
        'A condition can compare counters: expression: "http.codes.200 / http.requests >= 0.99".',
      ],
      'gate-misses-regression': ['Look at the previous release\'s report (work/gate-previous.json): its p95 and its http.codes.504. A check must be strict enough to catch them.'],
      'gate-fails-fix': ['Look at the fixed catalogue\'s report (work/gate-current.json). Leave room for a busy machine: a p95 limit of a few times the measured value.'],
      default: [`The ensure reference: https://www.artillery.io/docs/reference/extensions/ensure`],
    },
    cheats: [
      { name: 'checks latency only', apply: async () => writeFileSync(paths.gate, gateWith({ thresholds: [{ 'http.response_time.p95': sloMs }] })) },
      {
        name: 'sets checks too loose to catch anything (p95 under 10 s, no failed virtual users)',
        apply: async () => writeFileSync(paths.gate, gateWith({ thresholds: [{ 'http.response_time.p95': 10_000 }], conditions: [{ expression: 'vusers.failed == 0' }] })),
      },
    ],
    async solve(ctx) {
      ctx.print(`(writes config.plugins.ensure into ${shown.gate}: ${JSON.stringify(solutionEnsure)})`);
      writeFileSync(paths.gate, gateWith(solutionEnsure));
    },
  },
];
