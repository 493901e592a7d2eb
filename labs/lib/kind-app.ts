// A lab's own services on kind: the image built by lib/app-image.ts exists only in the local
// Docker engine, so it is loaded into the cluster's nodes with `kind load docker-image` (no
// registry involved) and run with imagePullPolicy IfNotPresent. Here: that loading, a
// Deployment (with a Service) per service, the state of a set of Deployments as a check sees it,
// and a command run in a service's container with kubectl exec.
import { labLabel } from './docker.ts';
import type { KubeClient } from './kube.ts';
import type { StepContext } from './lab.ts';
import { EnvironmentError, fail, type CheckResult } from './result.ts';

/** The kind cluster behind a context, or null when the context is not a kind one. */
export function kindClusterOf(context: string): string | null {
  return context.startsWith('kind-') && context.length > 'kind-'.length ? context.slice('kind-'.length) : null;
}

export async function loadIntoKind(ctx: Pick<StepContext, 'shell' | 'kube'>, image: string): Promise<void> {
  const context = ctx.kube?.context ?? '';
  const cluster = kindClusterOf(context);
  if (!cluster) {
    throw new EnvironmentError(
      `The step runs ${image}, an image built on this machine, and context "${context}" is not a kind cluster it can be loaded into.`,
      'Use the lab cluster (npm run lab -- cluster up), or push the image to a registry your cluster can pull from.',
    );
  }
  await ctx.shell.run('kind', ['load', 'docker-image', image, '--name', cluster], { timeoutSeconds: 300 });
}

export interface ServiceSpec {
  /** Deployment, Service and `app` label name, e.g. m9-s1-pricing. */
  name: string;
  /** The container's name and the service's role (its first argument). */
  container: string;
  image: string;
  env?: Record<string, string>;
  resources: { requests: Record<string, string>; limits?: Record<string, string> };
  /** Serves HTTP on 8080 (readiness probe on /healthz, and a Service). */
  http: boolean;
}

const map = (values: Record<string, string>, indent: string) =>
  Object.entries(values)
    .map(([k, v]) => `${indent}${k}: ${JSON.stringify(v)}`)
    .join('\n');

/** A Deployment of one replica (and a ClusterIP Service on 8080 when it serves HTTP). */
export function serviceManifest(labId: string, s: ServiceSpec): string {
  const labels = `    app: ${s.name}\n    ${labLabel}: ${labId}`;
  const env = s.env && Object.keys(s.env).length > 0 ? `          env:\n${Object.entries(s.env).map(([k, v]) => `            - name: ${k}\n              value: ${JSON.stringify(v)}`).join('\n')}\n` : '';
  const probe = s.http
    ? `          ports:\n            - containerPort: 8080\n          readinessProbe:\n            httpGet:\n              path: /healthz\n              port: 8080\n            periodSeconds: 5\n            timeoutSeconds: 10\n            failureThreshold: 3\n`
    : '';
  const limits = s.resources.limits ? `            limits:\n${map(s.resources.limits, '              ')}\n` : '';
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${s.name}
  labels:
${labels}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${s.name}
  template:
    metadata:
      labels:
    ${labels.replaceAll('\n', '\n    ')}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
        - name: ${s.container}
          image: ${s.image}
          imagePullPolicy: IfNotPresent
          args: [${JSON.stringify(s.container)}]
${env}${probe}          resources:
            requests:
${map(s.resources.requests, '              ')}
${limits}`;
  if (!s.http) return deployment;
  return `${deployment}---
apiVersion: v1
kind: Service
metadata:
  name: ${s.name}
  labels:
${labels}
spec:
  selector:
    app: ${s.name}
  ports:
    - port: 8080
      targetPort: 8080
`;
}

export interface Container {
  name: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  env?: { name: string; value?: string }[];
}

export interface Deployment {
  metadata: { name: string; generation?: number };
  spec: { replicas?: number; template: { spec: { containers: Container[] } } };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; readyReplicas?: number };
}

/**
 * The Deployments a check needs, each present, scaled up and rolled out; null when they are.
 * A rollout still in progress is `rollout-in-progress` (transient: poll it).
 */
export function deploymentsState(labId: string, fromStep: string, deployments: Record<string, Deployment | null>): CheckResult | null {
  for (const [name, d] of Object.entries(deployments)) {
    if (!d) return fail('deployment-missing', `There is no Deployment ${name}. The service needs it; to start over: npm run lab -- start ${labId} --from ${fromStep} --target kind`);
    if ((d.spec.replicas ?? 1) === 0) return fail('scaled-to-zero', `${name} is scaled to 0 replicas. Scaling a workload away hides the problem; the service needs it running.`);
  }
  for (const [name, d] of Object.entries(deployments)) {
    const want = d!.spec.replicas ?? 1;
    const s = d!.status ?? {};
    if ((s.observedGeneration ?? 0) < (d!.metadata.generation ?? 0) || s.updatedReplicas !== want || s.readyReplicas !== want || (s.replicas ?? 0) > want) {
      return fail('rollout-in-progress', `${name} is still rolling out: ${s.readyReplicas ?? 0} of ${want} Pods ready, ${s.updatedReplicas ?? 0} up to date.`);
    }
  }
  return null;
}

export async function getDeployments(kube: KubeClient, names: string[]): Promise<Record<string, Deployment | null>> {
  const found: Record<string, Deployment | null> = {};
  for (const name of names) found[name] = await kube.getJson<Deployment>(['get', 'deployment', name, '-n', kube.namespace]);
  return found;
}

export async function rolloutStatus(kube: KubeClient, names: string[]): Promise<void> {
  for (const name of names) {
    await kube.kubectl(['rollout', 'status', `deployment/${name}`, '-n', kube.namespace, '--timeout=180s'], { timeoutSeconds: 200 });
  }
}

/** Runs a command in a Deployment's container; the result whatever the exit code. */
export async function execIn(kube: KubeClient, deployment: string, container: string, command: string[], timeoutSeconds = 60) {
  return kube.tryKubectl(['exec', '-n', kube.namespace, `deploy/${deployment}`, '-c', container, '--', ...command], { quiet: true, timeoutSeconds });
}
