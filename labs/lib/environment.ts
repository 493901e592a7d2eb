// doctor, and the lab cluster: `cluster up` creates kind-module9 from the pinned node image,
// `cluster down` deletes it. Both touch only the cluster named module9.
import { images } from '../images.ts';
import { labClusterName } from './context-guard.ts';
import { imageRef } from './images.ts';
import { resolveContext } from './kube.ts';
import { EnvironmentError } from './result.ts';
import { createShell, type Printer } from './shell.ts';

interface DoctorLine {
  name: string;
  ok: boolean;
  detail: string;
  next?: string;
}

export function formatDoctor(lines: DoctorLine[]): string {
  return lines.map((l) => `${l.ok ? 'ok  ' : 'MISS'} ${l.name.padEnd(16)} ${l.detail}${l.ok || !l.next ? '' : `\n     next: ${l.next}`}`).join('\n');
}

/** Prints what is there and what to fix; true when the docker steps can run. */
export async function runDoctor(print: Printer): Promise<boolean> {
  const shell = createShell(print);
  const lines: DoctorLine[] = [];
  const probe = async (command: string, args: string[]) => shell.tryRun(command, args, { quiet: true, timeoutSeconds: 20 }).catch(() => null);

  const node = Number(process.versions.node.split('.')[0]);
  lines.push({ name: 'Node.js', ok: node >= 22, detail: process.version, next: 'Run the lab CLI through npm (npm run lab -- ...), which uses the Node 24 pinned in node_modules.' });
  const client = await probe('docker', ['version', '--format', '{{.Client.Version}}']);
  lines.push({ name: 'docker CLI', ok: !!client && client.stdout.trim() !== '', detail: client?.stdout.trim() || 'not found', next: 'Install Docker: https://docs.docker.com/engine/install/' });
  const engine = await probe('docker', ['info', '--format', '{{.ServerVersion}} cgroup v{{.CgroupVersion}} ({{.CgroupDriver}} driver)']);
  const engineOk = !!engine && engine.exitCode === 0;
  lines.push({ name: 'Docker engine', ok: engineOk, detail: engineOk ? engine.stdout.trim() : 'not reachable', next: 'Start Docker (Docker Desktop, or sudo systemctl start docker) and check with: docker info' });
  const kind = await probe('kind', ['version']);
  lines.push({ name: 'kind', ok: kind?.exitCode === 0, detail: kind?.exitCode === 0 ? kind.stdout.trim() : 'not found (needed for the Kubernetes parts)', next: 'Install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation' });
  const helm = await probe('helm', ['version', '--short']);
  lines.push({ name: 'helm', ok: helm?.exitCode === 0, detail: helm?.exitCode === 0 ? helm.stdout.trim() : 'not found (needed for the Kubernetes part of Lab 1)', next: 'Install Helm: https://helm.sh/docs/intro/install/' });
  const kubectl = await probe('kubectl', ['version', '--client', '-o', 'json']);
  const kubectlVersion = kubectl?.exitCode === 0 ? (JSON.parse(kubectl.stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion : undefined;
  lines.push({ name: 'kubectl', ok: !!kubectlVersion, detail: kubectlVersion ?? 'not found (needed for the Kubernetes parts)', next: 'Install kubectl: https://kubernetes.io/docs/tasks/tools/' });
  if (kind?.exitCode === 0 && kubectlVersion) {
    try {
      const context = await resolveContext(shell, undefined, false, print);
      lines.push({ name: 'lab cluster', ok: true, detail: `${context} (kind, API server on loopback)` });
    } catch (cause) {
      lines.push({ name: 'lab cluster', ok: false, detail: (cause as Error).message, next: cause instanceof EnvironmentError ? cause.next : undefined });
    }
  }
  print(formatDoctor(lines));
  return engineOk;
}

async function clusterExists(print: Printer): Promise<boolean> {
  const shell = createShell(print);
  const result = await shell.run('kind', ['get', 'clusters']);
  return result.stdout.split('\n').map((l) => l.trim()).includes(labClusterName);
}

export async function clusterUp(print: Printer): Promise<void> {
  const shell = createShell(print);
  if (await clusterExists(print)) {
    print(`The lab cluster already exists (context kind-${labClusterName}). Delete it with: npm run lab -- cluster down`);
    return;
  }
  await shell.run('kind', ['create', 'cluster', '--name', labClusterName, '--image', imageRef('kindNode'), '--wait', '180s'], { timeoutSeconds: 600 });
  if (process.env.LAB_IMAGE_MIRROR) {
    // A mirror is often not reachable from inside the kind nodes: side-load every image.
    // Images the mirror does not have are named, not fatal: only the steps that need them fail.
    for (const name of Object.keys(images) as (keyof typeof images)[]) {
      if (name === 'kindNode') continue;
      const ref = imageRef(name);
      const present = (await shell.tryRun('docker', ['image', 'inspect', ref], { quiet: true })).exitCode === 0;
      if (!present && (await shell.tryRun('docker', ['pull', '-q', ref], { quiet: true, timeoutSeconds: 300 })).exitCode !== 0) {
        print(`not loaded into the cluster: ${ref} (not here and not pullable; steps that need it will fail until it is)`);
        continue;
      }
      await shell.run('kind', ['load', 'docker-image', ref, '--name', labClusterName], { timeoutSeconds: 300 });
    }
  }
  print(`Lab cluster ready: context kind-${labClusterName}. Labs use it by name; your current context is not used.`);
}

export async function clusterDown(print: Printer): Promise<void> {
  const shell = createShell(print);
  if (!(await clusterExists(print))) {
    print('There is no lab cluster to delete.');
    return;
  }
  await shell.run('kind', ['delete', 'cluster', '--name', labClusterName], { timeoutSeconds: 300 });
}
