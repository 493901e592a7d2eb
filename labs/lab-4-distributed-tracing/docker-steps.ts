// Lab 4, Docker part: the shop's three services send OTLP to an OpenTelemetry Collector, which
// forwards to Jaeger v2; every check sends real checkouts through the storefront and reads their
// traces back from Jaeger's query API (API v3 on :16686). The verdicts are in judge.ts.
import { fileURLToPath } from 'node:url';
import { buildAppImage } from '../lib/app-image.ts';
import { labLabel, type ContainerInspect } from '../lib/docker.ts';
import { defineDiagnosis } from '../lib/diagnose.ts';
import { imageRef } from '../lib/images.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { EnvironmentError, error, pass, type CheckResult } from '../lib/result.ts';
import { waitUntil } from '../lib/wait.ts';
import { collectorConfig, configPaths, jaegerConfig, labId, names, shopServices, type ShopService } from './config.ts';
import { findTraces, getTrace, jaegerServices, JaegerUnreachable, fetchGet, type HttpGet } from './jaeger.ts';
import { agreedBottleneck, judgeArrival, judgeFix, judgeSampling, lookUpUntilSettled, slowSpan, type Lookup, type LookUpOptions, type TraceLookups } from './judge.ts';
import { answerForms, type Trace } from './trace-analysis.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ports = { jaeger: 16686, storefront: 8484 };
const jaegerBase = `http://127.0.0.1:${ports.jaeger}`;
const storefrontBase = `http://127.0.0.1:${ports.storefront}`;

export interface Sampler {
  name: string;
  arg?: string;
}

/** How the three shop services are started: where they export, how they sample, the cache. */
export interface ShopSetup {
  endpoint: Record<ShopService, string>;
  sampler: Record<ShopService, Sampler>;
  taxTableCacheSeconds: number;
}

const toCollector = 'http://m9-lab4-collector:4318';
const everyService = <T>(value: T) => ({ storefront: value, orders: value, pricing: value });
const followParent: Sampler = { name: 'parentbased_always_on' };

export const setups = {
  /** Step 1: exporting to the Collector's gRPC port with the HTTP exporter. */
  wrongPort: { endpoint: everyService('http://m9-lab4-collector:4317'), sampler: everyService(followParent), taxTableCacheSeconds: 0 },
  /** Steps 2 and 3: traces arrive; pricing reloads its tax table on every request. */
  slow: { endpoint: everyService(toCollector), sampler: everyService(followParent), taxTableCacheSeconds: 0 },
  fixed: { endpoint: everyService(toCollector), sampler: everyService(followParent), taxTableCacheSeconds: 300 },
  /** Step 4: storefront keeps everything, orders samples 10% on its own. */
  unevenSampling: {
    endpoint: everyService(toCollector),
    sampler: { storefront: { name: 'always_on' }, orders: { name: 'traceidratio', arg: '0.1' }, pricing: followParent },
    taxTableCacheSeconds: 300,
  },
  headSampling: {
    endpoint: everyService(toCollector),
    sampler: { storefront: { name: 'parentbased_traceidratio', arg: '0.25' }, orders: followParent, pricing: followParent },
    taxTableCacheSeconds: 300,
  },
} satisfies Record<string, ShopSetup>;

/** The `docker run` options of one shop service: its environment, network and labels. */
export function serviceOptions(service: ShopService, setup: ShopSetup): string[] {
  const sampler = setup.sampler[service];
  const env: Record<string, string> = {
    SHOP_SERVICE: service,
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_ENDPOINT: setup.endpoint[service],
    OTEL_TRACES_SAMPLER: sampler.name,
    ...(sampler.arg ? { OTEL_TRACES_SAMPLER_ARG: sampler.arg } : {}),
    OTEL_BSP_SCHEDULE_DELAY: '1000',
    ...(service === 'storefront' ? { ORDERS_URL: `http://${names.orders}:8080` } : {}),
    ...(service === 'orders' ? { PRICING_URL: `http://${names.pricing}:8080` } : {}),
    ...(service === 'pricing' ? { TAX_TABLE_CACHE_SECONDS: String(setup.taxTableCacheSeconds) } : {}),
  };
  return [
    '--network',
    names.network,
    ...(service === 'storefront' ? ['-p', `127.0.0.1:${ports.storefront}:8080`] : []),
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
  ];
}

const shopEntry = fileURLToPath(new URL('./services/main.ts', import.meta.url));

async function shopImage(ctx: StepContext): Promise<string> {
  return buildAppImage(ctx, { name: 'shop', entry: shopEntry });
}

async function running(ctx: StepContext, name: string): Promise<ContainerInspect | null> {
  const c = await ctx.docker.inspect(name);
  return c?.State.Running ? c : null;
}

async function ensureNetwork(ctx: StepContext): Promise<void> {
  const r = await ctx.shell.tryRun('docker', ['network', 'inspect', names.network], { quiet: true });
  if (r.exitCode !== 0) await ctx.shell.run('docker', ['network', 'create', '--label', `${labLabel}=${ctx.labId}`, names.network]);
}

async function logsOf(ctx: StepContext, name: string): Promise<string> {
  const r = await ctx.shell.tryRun('docker', ['logs', name], { quiet: true });
  return r.stdout + r.stderr;
}

/**
 * A Collector-based program (the Collector or Jaeger) from its pinned image, with its
 * configuration copied in before it starts: docker create, docker cp, docker start. That works
 * with any engine, local or remote, because no host path is mounted.
 */
async function startCollectorBased(ctx: StepContext, name: string, image: string, config: string, path: string, options: string[], args: string[]): Promise<void> {
  await ctx.docker.removeContainer(name);
  await ctx.shell.run('docker', ['create', '--name', name, '--label', `${labLabel}=${ctx.labId}`, '--network', names.network, ...options, image, ...args]);
  const dir = mkdtempSync(join(tmpdir(), 'm9-lab4-'));
  try {
    writeFileSync(join(dir, 'config.yaml'), config, { mode: 0o644 });
    await ctx.shell.run('docker', ['cp', join(dir, 'config.yaml'), `${name}:${path}`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await ctx.shell.run('docker', ['start', name]);
  await waitUntil(async () => /Everything is ready/.test(await logsOf(ctx, name)), `${name} to report "Everything is ready"`, { timeoutMs: 90_000, intervalMs: 1000 });
}

/** Jaeger and the Collector, started once and kept across steps (Jaeger keeps the traces). */
async function ensurePipeline(ctx: StepContext): Promise<void> {
  await ensureNetwork(ctx);
  if (!(await running(ctx, names.jaeger))) {
    await startCollectorBased(ctx, names.jaeger, imageRef('jaeger'), jaegerConfig(), configPaths.jaeger, ['-p', `127.0.0.1:${ports.jaeger}:16686`], ['--config', configPaths.jaeger]);
  }
  await waitUntil(async () => jaegerServices(jaegerBase).then(() => true, () => false), `Jaeger's query API at ${jaegerBase}`, { timeoutMs: 60_000, intervalMs: 1000 });
  if (!(await running(ctx, names.collector))) {
    await startCollectorBased(ctx, names.collector, imageRef('otelCollector'), collectorConfig(), configPaths.collector, [], ['--config', configPaths.collector]);
  }
}

export async function runShopService(ctx: StepContext, service: ShopService, setup: ShopSetup, image?: string): Promise<void> {
  const ref = image ?? (await shopImage(ctx));
  await ctx.docker.removeContainer(names[service]);
  await ctx.docker.runDetached(ctx.labId, names[service], serviceOptions(service, setup), ref, []);
  await waitUntil(async () => /listening on/.test(await logsOf(ctx, names[service])), `${names[service]} to listen`, { timeoutMs: 30_000 });
}

/** Brings the whole lab to `setup`: pipeline up, the three services recreated in order. */
export async function startShop(ctx: StepContext, setup: ShopSetup): Promise<void> {
  await ensurePipeline(ctx);
  const image = await shopImage(ctx);
  for (const service of ['pricing', 'orders', 'storefront'] as const) await runShopService(ctx, service, setup, image);
}

export class TargetUnreachable extends Error {}

/** Sends `count` checkouts through the storefront (`parallel` at a time); returns their trace IDs. */
export async function sendCheckouts(count: number, { parallel = 1, region = 'eu', get = fetchGet }: { parallel?: number; region?: string; get?: HttpGet } = {}): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const url = `${storefrontBase}/checkout?region=${region}`;
      let response;
      try {
        response = await get(url);
      } catch (cause) {
        throw new TargetUnreachable(`The storefront at ${url} did not answer (${((cause as Error).cause as Error | undefined)?.message ?? (cause as Error).message}).`);
      }
      if (response.status !== 200) throw new TargetUnreachable(`The storefront answered HTTP ${response.status} to GET ${url}: ${response.body.slice(0, 160)}`);
      ids.push((JSON.parse(response.body) as { traceId: string }).traceId);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return ids;
}

/** Looks traces up in Jaeger, one request each: the Docker part reads the published port. */
export const jaegerLookups = (get: HttpGet = fetchGet): TraceLookups => async (ids) => {
  const lookup: Lookup = new Map();
  for (const id of ids) lookup.set(id, await getTrace(jaegerBase, id, get));
  return lookup;
};

const lookUp = (ids: string[], options: LookUpOptions) => lookUpUntilSettled(ids, jaegerLookups(), options);

/** Runs a check body; an unreachable Jaeger or storefront is an error with the next step. */
export async function guarded(step: string, body: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await body();
  } catch (cause) {
    if (cause instanceof JaegerUnreachable) {
      return error(
        `${cause.message}.`,
        `Check that ${names.jaeger} runs (docker ps -a --filter name=${names.jaeger}; docker logs ${names.jaeger}). To start the step over: npm run lab -- start ${labId} --from ${step}`,
      );
    }
    if (cause instanceof TargetUnreachable) {
      return error(
        cause.message,
        `Check the shop's containers (docker ps -a --filter name=m9-lab4-; docker logs ${names.storefront}). To start the step over: npm run lab -- start ${labId} --from ${step}`,
      );
    }
    throw cause;
  }
}

export async function checkArrival(): Promise<CheckResult> {
  return guarded('traces-arrive', async () => judgeArrival(await lookUp(await sendCheckouts(3), { timeoutMs: 15_000, settleMs: 15_000 })));
}

/** The span adding the latency, from live traces of fresh checkouts. */
export async function liveBottleneckAnswers(): Promise<string[]> {
  const result = await guarded('find-slow-span', async () => {
    const lookup = await lookUp(await sendCheckouts(3), { timeoutMs: 20_000, settleMs: 8000 });
    const found = agreedBottleneck([...lookup.values()].filter((t): t is Trace => t !== null));
    return found ? pass(answerForms(found.service, found.name).join('\n')) : pass('');
  });
  // A diagnose step's answers come from live traces; when they cannot be read, say what to do.
  if (result.status === 'error') throw new EnvironmentError(result.reason, result.next);
  return result.status === 'pass' && result.observed ? result.observed.split('\n') : [];
}

export async function checkFix(): Promise<CheckResult> {
  return guarded('fix-slow-span', async () => {
    // One checkout first: a cache fills on its first request.
    await sendCheckouts(1);
    const ids = await sendCheckouts(5);
    const lookup = await lookUp(ids, { timeoutMs: 20_000, settleMs: 8000 });
    const earlier = (await findTraces(jaegerBase, 'storefront', 30 * 60_000)).filter((t) => !ids.includes(t.traceId));
    return judgeFix(lookup, earlier);
  });
}

export async function checkSampling(): Promise<CheckResult> {
  return guarded('head-sampling', async () => judgeSampling(await lookUp(await sendCheckouts(60, { parallel: 6 }), { timeoutMs: 30_000, settleMs: 5000 })));
}

const images: Step['images'] = ['node', 'jaeger', 'otelCollector'];

const recreate = (service: ShopService, setup: ShopSetup) => (ctx: StepContext) => runShopService(ctx, service, setup);

export const dockerSteps: Step[] = [
  {
    id: 'traces-arrive',
    title: 'Get the traces to Jaeger through the Collector',
    target: 'docker',
    goal:
      `The shop runs: ${names.storefront} (on ${storefrontBase}/checkout) calls ${names.orders}, which calls ${names.pricing}. ` +
      `Each service sends its spans over OTLP to the OpenTelemetry Collector ${names.collector}, which forwards them to Jaeger ` +
      `(${names.jaeger}, UI and query API on ${jaegerBase}). Yet Jaeger shows no shop traces. Find out why ` +
      `(docker logs of the services, docker inspect Config.Env, the Collector's configuration), then make every checkout ` +
      `arrive in Jaeger as one whole trace, through the Collector. Recreating the services is fine: keep their names, ` +
      `network and the label ${labLabel}=${labId}.`,
    images,
    async setup(ctx) {
      await startShop(ctx, setups.wrongPort);
    },
    async symptom() {
      const ids = await sendCheckouts(2);
      const lookup = await lookUp(ids, { timeoutMs: 8000, settleMs: 8000 });
      return [...lookup.values()].every((t) => t === null)
        ? pass(`checkouts ${ids.join(', ')} answered 200 and none of their traces is in Jaeger`)
        : error('a trace arrived although the exporters point at the wrong port', 'look at the setup');
    },
    check: () => checkArrival(),
    expected: { failsWith: 'no-traces' },
    hints: {
      'no-traces': [
        `docker logs ${names.storefront} shows what the OpenTelemetry SDK reports when an export fails. Which address does it send to? docker inspect --format '{{json .Config.Env}}' ${names.storefront}`,
        `The services use the OTLP/HTTP exporter (protobuf over HTTP, path /v1/traces). The Collector's OTLP receiver listens for gRPC on 4317 and for HTTP on 4318 (its configuration is in labs/${labId}/config/collector.yaml).`,
        `Environment variables are fixed when a container is created: recreate each service with OTEL_EXPORTER_OTLP_ENDPOINT=${toCollector} and everything else as it was (docker inspect shows the rest).`,
      ],
      'incomplete-traces': ['Every service exports its own spans: a trace is whole only when all three send them to the Collector.'],
      'bypasses-collector': [`Jaeger accepts OTLP too, but this shop sends through the Collector, which adds the resource attribute module9.collector. Send to ${toCollector}.`],
      default: [`Start with the services' own logs: docker logs ${names.storefront}.`],
    },
    cheats: [
      {
        name: 'sends straight to Jaeger, around the Collector',
        apply: async (ctx) => {
          const direct = { ...setups.slow, endpoint: everyService('http://m9-lab4-jaeger:4318') };
          for (const service of shopServices) await runShopService(ctx, service, direct);
        },
      },
      { name: 'fixes only the storefront', apply: recreate('storefront', { ...setups.wrongPort, endpoint: { ...setups.wrongPort.endpoint, storefront: toCollector } }) },
    ],
    async solve(ctx) {
      for (const service of shopServices) await runShopService(ctx, service, setups.slow);
    },
  },
  defineDiagnosis({
    id: 'find-slow-span',
    title: 'Find the span that makes checkout slow',
    target: 'docker',
    question:
      'Every checkout takes well over half a second. From the traces in Jaeger, which service and which of its spans adds that latency? ' +
      'Answer as <service>/<span name>, for example storefront/GET /checkout.',
    async setup(ctx) {
      await startShop(ctx, setups.slow);
      await lookUp(await sendCheckouts(3), { timeoutMs: 20_000, settleMs: 8000 });
    },
    async truth() {
      return liveBottleneckAnswers();
    },
    wrongAnswers: ['storefront/GET /checkout', 'orders/POST /orders', 'pricing/GET /quote', 'orders/fraud check'],
    hints: {
      'wrong-answer': [
        'The root span is the longest because it contains all the others. Look for the span whose own time, not its children\'s, fills the request.',
        'Jaeger UI marks the critical path on the span bars of a trace (on by default). Follow it from the root down to the deepest span that is still long.',
      ],
      default: [`Open ${jaegerBase}, search service storefront, open one trace and read the waterfall from the root down.`],
    },
    images,
  }),
  {
    id: 'fix-slow-span',
    title: 'Remove the latency and compare the critical path',
    target: 'docker',
    goal:
      `You found the span. Now find why it runs on every checkout (its attributes in Jaeger, the service's configuration in ` +
      `docker inspect), and fix the cause so the critical path of a checkout shrinks. Keep every service traced. ` +
      `Recreating ${names.pricing} is fine: keep its name, network and label.`,
    images,
    async setup(ctx) {
      await startShop(ctx, setups.slow);
      await lookUp(await sendCheckouts(3), { timeoutMs: 20_000, settleMs: 8000 });
    },
    check: () => checkFix(),
    expected: { failsWith: 'still-slow' },
    hints: {
      'still-slow': [
        `In Jaeger, open the "${slowSpan.name}" span: its attributes say which region's table it loaded and the cache time-to-live pricing runs with.`,
        `docker inspect --format '{{json .Config.Env}}' ${names.pricing} shows TAX_TABLE_CACHE_SECONDS=0: pricing keeps no table, so every checkout pays for a load.`,
        `Recreate ${names.pricing} with the same options and TAX_TABLE_CACHE_SECONDS=300 (a table may be five minutes old).`,
      ],
      'incomplete-traces': ['Switching tracing off in a service hides its spans, not its latency. Keep all three services traced.'],
      default: ['Compare a trace from before your change with one from after, in Jaeger\'s trace comparison or side by side.'],
    },
    cheats: [
      {
        name: 'restarts pricing',
        apply: async ({ shell }) => {
          await shell.run('docker', ['restart', names.pricing]);
          await waitUntil(() => sendCheckouts(1).then(() => true, () => false), 'the shop to answer again after the restart', { timeoutMs: 30_000, intervalMs: 1000 });
        },
      },
      { name: 'switches tracing off in pricing', apply: recreate('pricing', { ...setups.slow, sampler: { ...setups.slow.sampler, pricing: { name: 'always_off' } } }) },
    ],
    solve: recreate('pricing', setups.fixed),
  },
  {
    id: 'head-sampling',
    title: 'Sample at the head, keep traces whole',
    target: 'docker',
    goal:
      `Storage is filling up, so keep only about a quarter of the checkout traces. Someone set ${names.orders} to ` +
      `OTEL_TRACES_SAMPLER=traceidratio with 0.1, while ${names.storefront} still records everything (always_on): Jaeger ` +
      `now holds every checkout, most of them without the orders and pricing spans. Configure sampling explicitly so ` +
      `that the decision is made once, at the root, and every kept trace is whole.`,
    images,
    async setup(ctx) {
      await startShop(ctx, setups.unevenSampling);
    },
    check: () => checkSampling(),
    expected: { failsWith: 'incomplete-traces' },
    hints: {
      'incomplete-traces': [
        'A service whose sampler ignores the parent decides again for every trace it joins. traceidratio looks only at the trace ID; parentbased_* samplers follow the sampled flag in the incoming traceparent header.',
        `Decide at the root: ${names.storefront} with OTEL_TRACES_SAMPLER=parentbased_traceidratio and OTEL_TRACES_SAMPLER_ARG=0.25; ${names.orders} and ${names.pricing} with parentbased_always_on, which follows the parent.`,
      ],
      'keeps-too-many': ['always_on keeps every trace. The ratio belongs to the root service, as parentbased_traceidratio.'],
      'keeps-too-few': ['OTEL_TRACES_SAMPLER_ARG is a ratio between 0 and 1: 0.25 keeps about a quarter.'],
      default: ['Read the sampler settings of all three services: docker inspect --format \'{{json .Config.Env}}\' <container>.'],
    },
    cheats: [
      {
        name: 'keeps every trace',
        apply: async (ctx) => {
          for (const service of shopServices) await runShopService(ctx, service, setups.fixed);
        },
      },
      { name: 'samples at the root but leaves orders deciding on its own', apply: recreate('storefront', { ...setups.unevenSampling, sampler: { ...setups.unevenSampling.sampler, storefront: setups.headSampling.sampler.storefront } }) },
    ],
    async solve(ctx) {
      for (const service of shopServices) await runShopService(ctx, service, setups.headSampling);
    },
  },
];
