// Lab 3, Kubernetes part: the workloads of the six scenarios, as the learner finds them. Each is
// a small shop service built on the lab's busybox image. The learner reads these objects with
// kubectl, so the names and comments here describe the shop, never what is wrong with it.
import { createHash } from 'node:crypto';
import { imageRef } from '../lib/images.ts';
import { labLabel } from '../lib/docker.ts';

export const labId = 'lab-3-debugging-scenarios';

/** Annotation holding a digest of the object as the lab created it (see intact() in kind-steps.ts). */
export const manifestAnnotation = 'module9.lab/manifest';

export const kinds = {
  checkout: 'm9-checkout',
  thumbnails: 'm9-thumbnails',
  invoices: 'm9-invoices',
  catalog: 'm9-catalog',
  storefront: 'm9-storefront',
  inventory: 'm9-inventory',
  reorder: 'm9-reorder',
  reports: 'm9-reports',
  reportsData: 'm9-reports-data',
  catalogExtra: 'm9-catalog-extra',
} as const;

export const bodies = { checkout: 'checkout ok', catalog: 'catalog ok', inventory: 'inventory ok' };

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, unknown> };

const digest = (object: unknown) => createHash('sha256').update(JSON.stringify(object)).digest('hex').slice(0, 16);

/** Adds the lab's cleanup tag and the digest annotation. */
function labelled(manifest: Manifest): Manifest {
  const withLabel = { ...manifest, metadata: { ...manifest.metadata, labels: { ...manifest.metadata.labels, [labLabel]: labId } } };
  return { ...withLabel, metadata: { ...withLabel.metadata, annotations: { [manifestAnnotation]: digest(withLabel) } } };
}

interface ContainerSpec {
  name: string;
  script: string;
  env?: Record<string, string>;
  ports?: { name: string; containerPort: number }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}

function container(c: ContainerSpec): Record<string, unknown> {
  const { script, env, ...rest } = c;
  return {
    ...rest,
    image: imageRef('busybox'),
    command: ['sh', '-c', script],
    ...(env ? { env: Object.entries(env).map(([name, value]) => ({ name, value })) } : {}),
  };
}

export function deployment(name: string, replicas: number, containers: ContainerSpec[], pod: Record<string, unknown> = {}, labels: Record<string, string> = {}): Manifest {
  const podLabels = { app: name, ...labels, [labLabel]: labId };
  return labelled({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: podLabels },
        spec: { terminationGracePeriodSeconds: 1, containers: containers.map(container), ...pod },
      },
    },
  });
}

export function service(name: string, selector: Record<string, string>): Manifest {
  return labelled({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { app: name } },
    spec: { selector, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
}

/** busybox httpd serving one page and /healthz on 8080, in the background of the main shell. */
const webServer = (body: string) => `mkdir -p /www && echo "${body}" > /www/index.html && echo ok > /www/healthz && httpd -p 8080 -h /www`;
const httpPort = [{ name: 'http', containerPort: 8080 }];
const healthz = (port: number | string) => ({ httpGet: { path: '/healthz', port }, periodSeconds: 2 });
/** A plain HTTP/1.0 GET with busybox nc. */
export const httpGet = (host: string) => `printf 'GET / HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n' | nc -w 3 ${host} 80`;

// --- 1. checkout --------------------------------------------------------------------------------

export const checkout = deployment(kinds.checkout, 1, [
  {
    name: 'checkout',
    ports: httpPort,
    script: [
      webServer(bodies.checkout),
      'echo "checkout: listening on :8080"',
      'n=0',
      'while :; do n=$((n+1)); echo "checkout: WARN payment gateway answered order $n in 5$((n % 10))12 ms (budget 5000 ms), retrying"; sleep 2; done',
    ].join('\n'),
    readinessProbe: healthz(8080),
    livenessProbe: { ...healthz(8081), initialDelaySeconds: 3, failureThreshold: 2 },
  },
]);

// --- 2. thumbnails ------------------------------------------------------------------------------

export const thumbnails = deployment(kinds.thumbnails, 1, [
  {
    name: 'resizer',
    env: { BATCH_BUFFER_MB: '96' },
    resources: { requests: { memory: '64Mi' }, limits: { memory: '64Mi' } },
    script: [
      'n=0',
      'while :; do',
      '  n=$((n+1)); echo "resizer: batch $n: resizing 40 images with a ${BATCH_BUFFER_MB} MiB buffer"',
      '  if dd if=/dev/zero of=/dev/null bs=${BATCH_BUFFER_MB}M count=1 2>/dev/null; then echo "resizer: batch $n done"; else echo "resizer: batch $n failed"; fi',
      '  sleep 2',
      'done',
    ].join('\n'),
  },
  {
    name: 'uploader',
    resources: { requests: { memory: '16Mi' }, limits: { memory: '32Mi' } },
    script: 'n=0\nwhile :; do n=$((n+1)); echo "uploader: pass $n, nothing new to upload"; sleep 5; done',
  },
]);

// --- 3. invoices --------------------------------------------------------------------------------

export const invoicesNeed = '256M';

export const invoices = deployment(kinds.invoices, 1, [
  {
    name: 'invoices',
    resources: { requests: { cpu: '50m', memory: '256G' } },
    script: 'echo "invoices: renderer ready"\nexec sleep 86400',
  },
]);

// --- 4. catalog and storefront ------------------------------------------------------------------

export const catalog = deployment(kinds.catalog, 2, [{ name: 'catalog', ports: httpPort, readinessProbe: healthz(8080), script: `${webServer(bodies.catalog)}\necho "catalog: serving v2"\nexec sleep 86400` }], {}, { version: 'v2' });

export const catalogService = service(kinds.catalog, { app: kinds.catalog, version: 'v1' });

export const storefront = deployment(kinds.storefront, 1, [
  {
    name: 'storefront',
    script: `while :; do if ${httpGet(kinds.catalog)} | grep -q '${bodies.catalog}'; then echo "storefront: catalog answered"; else echo "storefront: GET http://${kinds.catalog}/ failed"; fi; sleep 3; done`,
  },
]);

// --- 5. inventory and reorder -------------------------------------------------------------------

export const inventory = deployment(kinds.inventory, 1, [{ name: 'inventory', ports: httpPort, readinessProbe: healthz(8080), script: `${webServer(bodies.inventory)}\nexec sleep 86400` }]);

export const inventoryService = service(kinds.inventory, { app: kinds.inventory });

export const reorder = deployment(
  kinds.reorder,
  1,
  [
    {
      name: 'reorder',
      script: `while :; do if ${httpGet(kinds.inventory)} | grep -q '${bodies.inventory}'; then echo "reorder: stock levels read from ${kinds.inventory}"; else echo "reorder: GET http://${kinds.inventory}/ failed"; fi; sleep 3; done`,
    },
  ],
  { dnsPolicy: 'Default' },
);

// --- 6. reports ---------------------------------------------------------------------------------

export const reportsClaimClass = 'fast-ssd';

export function reportsClaim(storageClassName: string | null = reportsClaimClass): Manifest {
  return labelled({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: kinds.reportsData, labels: { app: kinds.reports } },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Mi' } }, ...(storageClassName ? { storageClassName } : {}) },
  });
}

export const reports = deployment(
  kinds.reports,
  1,
  [
    {
      name: 'reports',
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
      script: 'mkdir -p /data/reports && date > /data/reports/last-run && echo "reports: wrote /data/reports/last-run"\nexec sleep 86400',
    },
  ],
  { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: kinds.reportsData } }] },
);
