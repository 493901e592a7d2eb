// Decides which Kubernetes context a lab may use. A lab creates and deletes objects, so it
// never relies on the current context: by default it accepts only a kind cluster on this
// machine (a `kind-*` context that `kind get clusters` lists, whose API server is on
// loopback). Any other context needs --context NAME and --confirm-context together.

export const labClusterName = 'module9';
export const defaultContext = `kind-${labClusterName}`;

export interface KubeconfigView {
  contexts?: { name: string; context?: { cluster?: string } }[] | null;
  clusters?: { name: string; cluster?: { server?: string } }[] | null;
}

export interface ContextRequest {
  /** --context NAME, when given. */
  requested?: string;
  /** --confirm-context, when given. */
  confirmed: boolean;
  /** Output of `kind get clusters`, one name per entry. */
  kindClusters: string[];
  /** `kubectl config view -o json`. */
  kubeconfig: KubeconfigView;
}

export type ContextDecision =
  | { allowed: true; context: string; warning?: string }
  | { allowed: false; reason: string; next: string };

/** True for hosts that can only be this machine: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const octets = host.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

export function serverOf(kubeconfig: KubeconfigView, context: string): string | undefined {
  const clusterName = kubeconfig.contexts?.find((c) => c.name === context)?.context?.cluster;
  return kubeconfig.clusters?.find((c) => c.name === clusterName)?.cluster?.server;
}

/** Why `context` is not a local kind cluster, or null when it is one. */
export function notLocalKindReason(context: string, kindClusters: string[], server: string | undefined): string | null {
  if (!context.startsWith('kind-')) return `"${context}" is not a kind context (kind names its contexts kind-<cluster>)`;
  const cluster = context.slice('kind-'.length);
  if (!kindClusters.includes(cluster)) {
    return `kind does not list a cluster "${cluster}" (kind get clusters: ${kindClusters.join(', ') || 'none'})`;
  }
  if (!server) return `the context "${context}" has no API server address in your kubeconfig`;
  let hostname: string;
  try {
    hostname = new URL(server).hostname;
  } catch {
    return `its API server address "${server}" is not a URL`;
  }
  if (!isLoopbackHost(hostname)) return `its API server ${server} is not on this machine's loopback address`;
  return null;
}

export function decideContext(request: ContextRequest): ContextDecision {
  const context = request.requested ?? defaultContext;
  const known = request.kubeconfig.contexts?.some((c) => c.name === context) ?? false;
  if (!known) {
    return request.requested
      ? { allowed: false, reason: `There is no context "${context}" in your kubeconfig.`, next: 'List them with: kubectl config get-contexts' }
      : {
          allowed: false,
          reason: `The lab cluster is not running (no context "${defaultContext}" in your kubeconfig).`,
          next: 'Create it with: npm run lab -- cluster up',
        };
  }
  const reason = notLocalKindReason(context, request.kindClusters, serverOf(request.kubeconfig, context));
  if (reason === null) return { allowed: true, context };
  if (request.requested && request.confirmed) {
    return { allowed: true, context, warning: `Using "${context}" although ${reason}, because you passed --confirm-context.` };
  }
  return {
    allowed: false,
    reason: `Refusing to use context "${context}": ${reason}. Labs create and delete objects, so by default they only use a kind cluster on this machine.`,
    next: request.requested
      ? `If you really mean this cluster, run again with: --context ${context} --confirm-context`
      : 'Create the lab cluster with: npm run lab -- cluster up',
  };
}
