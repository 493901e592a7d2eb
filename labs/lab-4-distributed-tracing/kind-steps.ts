// Lab 4, Kubernetes part (kind): the same shop, Collector and Jaeger in the lab namespace.
// Checks send checkouts and read Jaeger's query API from inside the cluster, with one
// `kubectl exec` into the storefront Pod that runs a small Node.js fetch loop (the shop image has
// Node.js), so no port-forward is needed. The verdicts are pure functions (judge.ts).
import { fileURLToPath } from 'node:url';
import { buildAppImage } from '../lib/app-image.ts';
import { imageRef } from '../lib/images.ts';
import type { KubeClient } from '../lib/kube.ts';
import type { Step, StepContext } from '../lib/lab.ts';
import { EnvironmentError, error, fail, pass, type CheckResult } from '../lib/result.ts';
import { labId, names, shopServices, tailSamplingCollectorConfig } from './config.ts';
import { judgeArrival, lookUpUntilSettled, missingServices, type Lookup, type TraceLookups } from './judge.ts';
import { collectorObjects, collectorPorts, configMap, jaegerObjects, list, service, shopObjects, type ShopEnv } from './manifests.ts';
import { formatMs, summarise, tracesFromResponse, type JaegerV3Response, type Trace } from './trace-analysis.ts';

const shopEnv: ShopEnv = { endpoint: `http://${names.collector}:4318`, sampler: { name: 'parentbased_always_on' }, taxTableCacheSeconds: 300 };

/**
 * The Node.js program run in the storefront Pod: GETs every URL of argv[1] (a JSON array),
 * argv[2] at a time, and prints [{status, body} | {error}] as JSON.
 */
export const fetchManyScript = [
  '(async () => {',
  '  const urls = JSON.parse(process.argv[1]);',
  '  const parallel = Number(process.argv[2] || 1);',
  '  const out = new Array(urls.length);',
  '  let next = 0;',
  '  const worker = async () => {',
  '    while (next < urls.length) {',
  '      const i = next++;',
  '      try {',
  '        const r = await fetch(urls[i], { signal: AbortSignal.timeout(10000) });',
  '        out[i] = { status: r.status, body: await r.text() };',
  '      } catch (e) {',
  '        out[i] = { error: String((e.cause && e.cause.message) || e.message) };',
  '      }',
  '    }',
  '  };',
  '  await Promise.all(Array.from({ length: parallel }, worker));',
  '  console.log(JSON.stringify(out));',
  '})();',
].join('\n');

export type FetchResult = { status: number; body: string } | { error: string };
export type FetchMany = (urls: string[], parallel?: number) => Promise<FetchResult[]>;

export class InClusterUnreachable extends Error {}

function kubeOf(ctx: StepContext): KubeClient {
  if (!ctx.kube) throw new Error('a kind step ran without a Kubernetes context');
  return ctx.kube;
}

/** fetchManyScript through `kubectl exec` into the storefront Deployment. */
export function inClusterFetch(kube: KubeClient): FetchMany {
  return async (urls, parallel = 1) => {
    const r = await kube.tryKubectl(['exec', '-n', kube.namespace, `deploy/${names.storefront}`, '--', 'node', '-e', fetchManyScript, JSON.stringify(urls), String(parallel)], { quiet: true, timeoutSeconds: 120 });
    if (r.exitCode !== 0) {
      throw new InClusterUnreachable(`kubectl exec into deploy/${names.storefront} failed: ${r.stderr.trim().split('\n').at(-1) ?? `exit ${r.exitCode}`}`);
    }
    return JSON.parse(r.stdout) as FetchResult[];
  };
}

const jaegerBase = `http://${names.jaeger}:16686`;

/** Jaeger answers to GET /api/v3/traces/{id}, read into traces; an unreachable Jaeger throws. */
export function readLookups(ids: string[], results: FetchResult[]): Lookup {
  const lookup: Lookup = new Map();
  ids.forEach((id, i) => {
    const r = results[i];
    if (!r || 'error' in r) throw new InClusterUnreachable(`Jaeger's query API at ${jaegerBase} did not answer from inside the cluster (${r && 'error' in r ? r.error : 'no result'})`);
    if (r.status === 404) return lookup.set(id, null);
    if (r.status !== 200) throw new InClusterUnreachable(`Jaeger's query API at ${jaegerBase} answered HTTP ${r.status}: ${r.body.slice(0, 120)}`);
    lookup.set(id, tracesFromResponse(JSON.parse(r.body) as JaegerV3Response).find((t) => t.traceId === id) ?? null);
  });
  return lookup;
}

/** Storefront answers to GET /checkout, read into trace IDs; a failing storefront throws. */
export function readCheckouts(results: FetchResult[]): string[] {
  return results.map((r) => {
    if ('error' in r) throw new InClusterUnreachable(`the storefront did not answer inside the Pod (${r.error})`);
    if (r.status !== 200) throw new InClusterUnreachable(`the storefront answered HTTP ${r.status}: ${r.body.slice(0, 120)}`);
    return (JSON.parse(r.body) as { traceId: string }).traceId;
  });
}

const inClusterLookups = (fetchMany: FetchMany): TraceLookups => async (ids) => readLookups(ids, await fetchMany(ids.map((id) => `${jaegerBase}/api/v3/traces/${id}`), 4));

async function checkouts(fetchMany: FetchMany, regions: string[], parallel = 4): Promise<string[]> {
  return readCheckouts(await fetchMany(regions.map((r) => `http://localhost:8080/checkout?region=${encodeURIComponent(r)}`), parallel));
}

export async function guarded(ctx: StepContext, step: string, body: (fetchMany: FetchMany) => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await body(inClusterFetch(kubeOf(ctx)));
  } catch (cause) {
    if (cause instanceof InClusterUnreachable || cause instanceof EnvironmentError) {
      const ns = kubeOf(ctx).namespace;
      return error(cause.message, `Check the lab's Pods: kubectl --context ${kubeOf(ctx).context} get pods -n ${ns}. To start the step over: npm run lab -- start ${labId} --target kind --from ${step}`);
    }
    throw cause;
  }
}

export const slowThresholdMs = 300;

/** Tail sampling: every slow checkout kept whole, at most half of the fast ones. */
export function judgeTailSampling(slow: Lookup, fast: Lookup): CheckResult {
  const slowFound = [...slow.values()].filter((t): t is Trace => t !== null).map(summarise);
  const dropped = slow.size - slowFound.length;
  const broken = [...slowFound, ...[...fast.values()].filter((t): t is Trace => t !== null).map(summarise)].filter((s) => missingServices(s).length > 0);
  if (broken.length > 0) {
    return fail('incomplete-traces', `Trace ${broken[0]!.traceId} is in Jaeger without spans from ${missingServices(broken[0]!).join(' and ')}: a sampler that decides per service or per span breaks traces.`);
  }
  if (dropped > 0) {
    return fail(
      'slow-trace-dropped',
      `${dropped} of the ${slow.size} slow checkouts (each over ${slowThresholdMs} ms) are not in Jaeger. The slow ones are the traces you need: a sampler that decides before the request has finished cannot know which they are.`,
    );
  }
  const fastKept = [...fast.values()].filter((t) => t !== null).length;
  if (fastKept / fast.size > 0.5) {
    return fail('keeps-everything', `Jaeger kept ${fastKept} of ${fast.size} fast checkouts as well as every slow one: the Collector still forwards everything. Keep the slow ones and about 10% of the rest.`);
  }
  return pass(
    `All ${slow.size} slow checkouts kept (${slowFound.map((s) => formatMs(s.totalMs)).join(', ')}), and ${fastKept} of ${fast.size} fast ones: the Collector decides per whole trace, after it has ended.`,
  );
}

async function rollout(kube: KubeClient, name: string): Promise<void> {
  await kube.kubectl(['rollout', 'status', `deployment/${name}`, '-n', kube.namespace, '--timeout=180s'], { timeoutSeconds: 200 });
}

/** Loads the locally built shop image into the kind cluster the context belongs to. */
async function loadShopImage(ctx: StepContext): Promise<string> {
  const kube = kubeOf(ctx);
  const image = await buildAppImage(ctx, { name: 'shop', entry: fileURLToPath(new URL('./services/main.ts', import.meta.url)) });
  if (!kube.context.startsWith('kind-')) {
    throw new EnvironmentError(`The shop image is built locally and must be loaded into the cluster, which needs a kind cluster; ${kube.context} is not a kind context.`, 'Use the lab cluster: npm run lab -- cluster up');
  }
  await ctx.shell.run('kind', ['load', 'docker-image', image, '--name', kube.context.slice('kind-'.length)], { timeoutSeconds: 300 });
  return image;
}

async function deployAll(ctx: StepContext, collector: unknown[]): Promise<void> {
  const kube = kubeOf(ctx);
  const shopImage = await loadShopImage(ctx);
  await kube.apply(list([...jaegerObjects(imageRef('jaeger')), ...collector, ...shopObjects(shopImage, shopEnv)]));
  for (const name of [names.jaeger, names.collector, ...shopServices.map((s) => names[s])]) await rollout(kube, name);
}

async function restartCollector(kube: KubeClient): Promise<void> {
  await kube.kubectl(['rollout', 'restart', `deployment/${names.collector}`, '-n', kube.namespace]);
  await rollout(kube, names.collector);
}

export const kindSteps: Step[] = [
  {
    id: 'kind-traces-arrive',
    title: 'Kubernetes: get the traces through the Collector Service',
    target: 'kind',
    goal:
      `The shop, the Collector and Jaeger run in the lab namespace. The services send OTLP/HTTP to ` +
      `http://${names.collector}:4318, yet Jaeger has no shop traces. Find out why (kubectl get service,endpoints ` +
      `${names.collector}; the services' logs) and make every checkout arrive in Jaeger, whole and through the Collector. ` +
      `See Jaeger with: kubectl port-forward service/${names.jaeger} 16686:16686`,
    images: ['jaeger', 'otelCollector', 'node'],
    async setup(ctx) {
      await deployAll(ctx, collectorObjects(imageRef('otelCollector'), undefined, collectorPorts.grpcOnly));
      // apply leaves a port someone added by hand; set the list outright.
      const kube = kubeOf(ctx);
      const grpcOnly = collectorPorts.grpcOnly.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: 'TCP' }));
      await kube.kubectl(['patch', 'service', names.collector, '-n', kube.namespace, '--type', 'json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/ports', value: grpcOnly }])]);
    },
    check: (ctx) =>
      guarded(ctx, 'kind-traces-arrive', async (fetchMany) => judgeArrival(await lookUpUntilSettled(await checkouts(fetchMany, ['eu', 'eu', 'eu'], 1), inClusterLookups(fetchMany), { timeoutMs: 20_000, settleMs: 20_000 }))),
    expected: { failsWith: 'no-traces' },
    hints: {
      'no-traces': [
        `kubectl logs deploy/${names.storefront} shows the exporter's errors. kubectl get service ${names.collector} -o yaml shows which ports the Service forwards.`,
        `A Service forwards only the ports it lists. The Collector listens on 4317 (gRPC) and 4318 (HTTP); add 4318 to the Service (kubectl edit service ${names.collector}).`,
      ],
      'bypasses-collector': ['Jaeger accepts OTLP too, but then nothing passes through the Collector, where sampling and processing happen. Send to the Collector.'],
      default: [`kubectl get pods,services -n module9-${labId} shows what runs and what is exposed.`],
    },
    cheats: [
      {
        name: 'sends straight to Jaeger, around the Collector',
        apply: async (ctx) => {
          const kube = kubeOf(ctx);
          for (const svc of shopServices) {
            await kube.kubectl(['set', 'env', `deployment/${names[svc]}`, '-n', kube.namespace, `OTEL_EXPORTER_OTLP_ENDPOINT=http://${names.jaeger}:4318`]);
          }
          for (const svc of shopServices) await rollout(kube, names[svc]);
        },
      },
    ],
    async solve(ctx) {
      const kube = kubeOf(ctx);
      await kube.apply(list([service(names.collector, collectorPorts.both)]));
    },
  },
  {
    id: 'kind-tail-sampling',
    title: 'Kubernetes: keep the slow traces with tail sampling',
    target: 'kind',
    goal:
      `Jaeger stores every checkout. Keep all slow checkouts (over ${slowThresholdMs} ms) and about 10% of the rest, ` +
      `deciding per whole trace after it has ended: configure the tail_sampling processor in the Collector's ` +
      `configuration (ConfigMap ${names.collector}-config), then restart the Collector ` +
      `(kubectl rollout restart deployment/${names.collector}). The check sends fast checkouts and a few slow ones ` +
      `(a region whose tax table pricing has not loaded yet).`,
    images: ['jaeger', 'otelCollector', 'node'],
    async setup(ctx) {
      await deployAll(ctx, collectorObjects(imageRef('otelCollector')));
      // The Collector reads its configuration only at start; a changed ConfigMap needs a restart.
      await restartCollector(kubeOf(ctx));
    },
    check: (ctx) =>
      guarded(ctx, 'kind-tail-sampling', async (fetchMany) => {
        const stamp = Date.now().toString(36);
        // One checkout first fills pricing's table for "eu"; its own trace is slow and not counted.
        await checkouts(fetchMany, ['eu'], 1);
        const slowIds = await checkouts(fetchMany, [1, 2, 3, 4].map((i) => `new-${stamp}-${i}`), 4);
        const fastIds = await checkouts(fetchMany, Array.from({ length: 30 }, () => 'eu'), 4);
        // Wait beyond the tail sampler's decision_wait (30 s unless configured) before judging.
        const lookup = await lookUpUntilSettled([...slowIds, ...fastIds], inClusterLookups(fetchMany), { minWaitMs: 40_000, settleMs: 5000, timeoutMs: 75_000 });
        const part = (ids: string[]) => new Map([...lookup].filter(([id]) => ids.includes(id)));
        return judgeTailSampling(part(slowIds), part(fastIds));
      }),
    expected: { failsWith: 'keeps-everything' },
    hints: {
      'keeps-everything': [
        `kubectl get configmap ${names.collector}-config -o yaml shows the pipeline: receivers, processors, exporters. Nothing in it drops a trace.`,
        'The tail_sampling processor (in the contrib and k8s distributions) holds each trace for decision_wait, then keeps it if any policy samples it. A latency policy keeps slow traces; a probabilistic policy keeps a share of the rest.',
        `Add tail_sampling to processors and to the traces pipeline (after memory_limiter, before batch), with policies of type latency (threshold_ms: ${slowThresholdMs}) and probabilistic (sampling_percentage: 10). Then restart the Collector.`,
      ],
      'slow-trace-dropped': ['Head sampling in the SDK decides when the request starts, before anyone knows it will be slow. Decide in the Collector, after the trace has ended, and check the latency threshold.'],
      default: [`kubectl logs deploy/${names.collector} shows whether the Collector accepted its configuration.`],
    },
    cheats: [
      {
        name: 'head-samples 10% in the storefront instead',
        apply: async (ctx) => {
          const kube = kubeOf(ctx);
          await kube.kubectl(['set', 'env', `deployment/${names.storefront}`, '-n', kube.namespace, 'OTEL_TRACES_SAMPLER=parentbased_traceidratio', 'OTEL_TRACES_SAMPLER_ARG=0.1']);
          await rollout(kube, names.storefront);
        },
      },
      {
        name: 'tail-samples only traces over 1 s',
        apply: async (ctx) => {
          const kube = kubeOf(ctx);
          await kube.apply(list([configMap(`${names.collector}-config`, tailSamplingCollectorConfig().replace(`threshold_ms: ${slowThresholdMs}`, 'threshold_ms: 1000'))]));
          await restartCollector(kube);
        },
      },
    ],
    async solve(ctx) {
      const kube = kubeOf(ctx);
      await kube.apply(list([configMap(`${names.collector}-config`, tailSamplingCollectorConfig())]));
      await restartCollector(kube);
    },
  },
];
