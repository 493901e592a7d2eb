// kubectl for labs: every call names the context the guard allowed, and the lab's objects
// live in the lab's own namespace, labelled so cleanup can find them.
import { decideContext, type KubeconfigView } from './context-guard.ts';
import { labLabel } from './docker.ts';
import { EnvironmentError, UsageError } from './result.ts';
import type { CommandResult, Printer, Shell } from './shell.ts';

export interface KubeClient {
  context: string;
  namespace: string;
  /** kubectl --context <context> <args>; throws unless it exits 0. */
  kubectl(args: string[], options?: { input?: string | Buffer; timeoutSeconds?: number; quiet?: boolean }): Promise<CommandResult>;
  /** Like kubectl, but returns the result whatever the exit code. */
  tryKubectl(args: string[], options?: { input?: string | Buffer; timeoutSeconds?: number; quiet?: boolean }): Promise<CommandResult>;
  getJson<T>(args: string[]): Promise<T | null>;
  /** kubectl apply -f - in the lab namespace. */
  apply(manifest: string): Promise<void>;
}

export const namespaceFor = (labId: string) => `module9-${labId}`.slice(0, 63).replace(/-+$/, '');

export function createKubeClient(shell: Shell, context: string, labId: string): KubeClient {
  const namespace = namespaceFor(labId);
  const tryKubectl: KubeClient['tryKubectl'] = (args, options) => shell.tryRun('kubectl', ['--context', context, ...args], options);
  const kubectl: KubeClient['kubectl'] = (args, options) => shell.run('kubectl', ['--context', context, ...args], options);
  return {
    context,
    namespace,
    kubectl,
    tryKubectl,
    async getJson<T>(args: string[]) {
      const result = await tryKubectl([...args, '-o', 'json'], { quiet: true });
      if (result.exitCode !== 0) {
        if (/NotFound|not found/i.test(result.stderr)) return null;
        throw new EnvironmentError(`kubectl could not read ${args.join(' ')}: ${result.stderr.trim()}`, `Check the cluster with: kubectl --context ${context} get nodes`);
      }
      return JSON.parse(result.stdout) as T;
    },
    async apply(manifest) {
      await kubectl(['apply', '-n', namespace, '-f', '-'], { input: manifest });
    },
  };
}

export async function ensureLabNamespace(kube: KubeClient, labId: string): Promise<void> {
  const manifest = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${kube.namespace}\n  labels:\n    ${labLabel}: ${labId}\n`;
  await kube.kubectl(['apply', '-f', '-'], { input: manifest });
}

// Cluster-scoped objects and objects a lab installs outside its namespace (metrics-server in
// kube-system) carry the same label, so cleanup finds them too. CustomResourceDefinitions are
// deleted only when a lab labelled them (Lab 1 labels the CRDs its Helm chart installs).
export const clusterKinds = 'apiservices.apiregistration.k8s.io,clusterroles,clusterrolebindings,customresourcedefinitions.apiextensions.k8s.io';
const namespacedKinds = 'deployments,services,serviceaccounts,rolebindings,roles,configmaps';

export async function deleteLabObjects(kube: KubeClient, labId: string): Promise<void> {
  const selector = `${labLabel}=${labId}`;
  await kube.kubectl(['delete', 'namespace', '-l', selector, '--wait=true', '--timeout=180s', '--ignore-not-found'], { timeoutSeconds: 200 });
  await kube.kubectl(['delete', namespacedKinds, '--all-namespaces', '-l', selector, '--ignore-not-found'], { timeoutSeconds: 120 });
  await kube.kubectl(['delete', clusterKinds, '-l', selector, '--ignore-not-found'], { timeoutSeconds: 120 });
}

export async function listLabObjects(kube: KubeClient, labId: string): Promise<string[]> {
  const selector = `${labLabel}=${labId}`;
  const lists = await Promise.all([
    kube.kubectl(['get', 'namespaces', '-l', selector, '-o', 'name'], { quiet: true }),
    kube.kubectl(['get', namespacedKinds, '--all-namespaces', '-l', selector, '-o', 'name'], { quiet: true }),
    kube.kubectl(['get', clusterKinds, '-l', selector, '-o', 'name'], { quiet: true }),
  ]);
  return lists.flatMap((r) => r.stdout.split('\n').filter(Boolean));
}

/** Asks kind and kubectl, then applies the context guard. */
export async function resolveContext(shell: Shell, requested: string | undefined, confirmed: boolean, print: Printer): Promise<string> {
  if (confirmed && !requested) throw new UsageError('--confirm-context goes with --context NAME: it confirms that one named context.');
  const clusters = await shell.tryRun('kind', ['get', 'clusters'], { quiet: true });
  const view = await shell.tryRun('kubectl', ['config', 'view', '-o', 'json'], { quiet: true });
  if (view.exitCode !== 0) {
    throw new EnvironmentError(`kubectl could not read your kubeconfig: ${view.stderr.trim()}`, 'Check it with: kubectl config get-contexts');
  }
  const decision = decideContext({
    requested,
    confirmed,
    kindClusters: clusters.exitCode === 0 ? clusters.stdout.split('\n').map((l) => l.trim()).filter(Boolean) : [],
    kubeconfig: JSON.parse(view.stdout) as KubeconfigView,
  });
  if (!decision.allowed) throw new EnvironmentError(decision.reason, decision.next);
  if (decision.warning) print(`warning: ${decision.warning}`);
  return decision.context;
}

