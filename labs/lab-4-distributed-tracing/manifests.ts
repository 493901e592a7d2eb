// Kubernetes objects of Lab 4's kind part, as JSON manifests (kubectl apply reads JSON as YAML):
// Jaeger and the Collector from their pinned images with their configuration in ConfigMaps, and
// the three shop services from the locally built shop image. All in the lab namespace, all
// labelled module9.lab=lab-4-distributed-tracing so cleanup finds them.
import { labLabel } from '../lib/docker.ts';
import { collectorConfig, jaegerConfig, labId, names, shopServices, type ShopService } from './config.ts';

export interface ShopEnv {
  endpoint: string;
  sampler: { name: string; arg?: string };
  taxTableCacheSeconds: number;
}

const labels = (app: string) => ({ app, [labLabel]: labId });
const meta = (name: string) => ({ name, labels: labels(name) });

export function configMap(name: string, config: string) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(name), data: { 'config.yaml': config } };
}

function deployment(name: string, container: Record<string, unknown>, volumes: unknown[] = []) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name),
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: labels(name) },
        spec: { containers: [{ name: 'main', ...container }], ...(volumes.length ? { volumes } : {}) },
      },
    },
  };
}

export function service(name: string, ports: { name: string; port: number }[]) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name),
    spec: { selector: { app: name }, ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: 'TCP' })) },
  };
}

const configVolume = (configMapName: string) => [{ name: 'config', configMap: { name: configMapName } }];
const configMount = [{ name: 'config', mountPath: '/conf', readOnly: true }];
// The Collector's memory_limiter is set to 200 MiB of heap; the process needs about 50 MiB more.
const pipelineResources = { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '512Mi' } };
const shopResources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } };

export const collectorPorts = {
  grpcOnly: [{ name: 'otlp-grpc', port: 4317 }],
  both: [
    { name: 'otlp-grpc', port: 4317 },
    { name: 'otlp-http', port: 4318 },
  ],
};

export function jaegerObjects(image: string) {
  return [
    configMap(`${names.jaeger}-config`, jaegerConfig()),
    deployment(names.jaeger, { image, args: ['--config', '/conf/config.yaml'], ports: [{ containerPort: 16686 }, { containerPort: 4317 }, { containerPort: 4318 }], volumeMounts: configMount, resources: pipelineResources }, configVolume(`${names.jaeger}-config`)),
    service(names.jaeger, [
      { name: 'query', port: 16686 },
      { name: 'otlp-grpc', port: 4317 },
      { name: 'otlp-http', port: 4318 },
    ]),
  ];
}

/** The Collector; `config` is its configuration file, `ports` what its Service exposes. */
export function collectorObjects(image: string, config = collectorConfig(), ports = collectorPorts.both) {
  return [
    configMap(`${names.collector}-config`, config),
    deployment(names.collector, { image, args: ['--config', '/conf/config.yaml'], ports: [{ containerPort: 4317 }, { containerPort: 4318 }], volumeMounts: configMount, resources: pipelineResources }, configVolume(`${names.collector}-config`)),
    service(names.collector, ports),
  ];
}

export function shopEnvVars(svc: ShopService, env: ShopEnv): { name: string; value: string }[] {
  const vars: Record<string, string> = {
    SHOP_SERVICE: svc,
    OTEL_SERVICE_NAME: svc,
    OTEL_EXPORTER_OTLP_ENDPOINT: env.endpoint,
    OTEL_TRACES_SAMPLER: env.sampler.name,
    ...(env.sampler.arg ? { OTEL_TRACES_SAMPLER_ARG: env.sampler.arg } : {}),
    OTEL_BSP_SCHEDULE_DELAY: '1000',
    ...(svc === 'storefront' ? { ORDERS_URL: `http://${names.orders}:8080` } : {}),
    ...(svc === 'orders' ? { PRICING_URL: `http://${names.pricing}:8080` } : {}),
    ...(svc === 'pricing' ? { TAX_TABLE_CACHE_SECONDS: String(env.taxTableCacheSeconds) } : {}),
  };
  return Object.entries(vars).map(([name, value]) => ({ name, value }));
}

/** The three shop services; the image is the local build, loaded into kind (never pulled). */
export function shopObjects(image: string, env: ShopEnv) {
  return shopServices.flatMap((svc) => [
    deployment(names[svc], {
      image,
      imagePullPolicy: 'Never',
      env: shopEnvVars(svc, env),
      ports: [{ containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 2 },
      resources: shopResources,
    }),
    service(names[svc], [{ name: 'http', port: 8080 }]),
  ]);
}

/** A List, so one `kubectl apply -f -` creates them all. */
export const list = (items: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2);
