// Docker operations the labs share: labelled objects, inspect, cgroup files read from inside
// the container (so the same check works on Linux and in Docker Desktop's VM), cleanup by label.
import { CommandFailed, type Shell } from './shell.ts';
import { EnvironmentError } from './result.ts';
import { imageRef } from './images.ts';
import type { StepContext } from './lab.ts';

export const labLabel = 'module9.lab';

export interface ContainerState {
  Status: string;
  Running: boolean;
  OOMKilled: boolean;
  ExitCode: number;
  StartedAt: string;
}

export interface ContainerInspect {
  Id: string;
  Name: string;
  State: ContainerState;
  RestartCount: number;
  Config: { Labels: Record<string, string> | null; Image: string };
  HostConfig: { Memory: number; MemorySwap: number; NanoCpus: number; CpuQuota: number; CpuPeriod: number };
}

export interface DockerClient {
  /** Fails with an EnvironmentError (and the next step) unless an engine answers. */
  ensureEngine(): Promise<void>;
  cgroupVersion(): Promise<1 | 2>;
  inspect(container: string): Promise<ContainerInspect | null>;
  /** Reads a cgroup file of a running container: `v2` name on cgroup v2, `v1` path on v1. */
  readCgroup(container: string, file: { v2: string; v1: string }): Promise<string>;
  /** `docker run -d` with the lab label added. */
  runDetached(labId: string, name: string, options: string[], image: string, command: string[]): Promise<void>;
  removeContainer(name: string): Promise<void>;
  listLabelled(labId: string): Promise<string[]>;
  removeLabelled(labId: string): Promise<void>;
  imageExists(image: string): Promise<boolean>;
}

/** `cpu.stat` or `memory.stat` text as numbers. */
export function parseStatFile(text: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) values[key] = Number(value);
  }
  return values;
}

/** The kinds of Docker object a lab may create, each found by the lab label. */
const labelledKinds = [
  { kind: 'container', list: ['ps', '-aq'], remove: ['rm', '-f'] },
  { kind: 'network', list: ['network', 'ls', '-q'], remove: ['network', 'rm'] },
  { kind: 'volume', list: ['volume', 'ls', '-q'], remove: ['volume', 'rm'] },
  { kind: 'image', list: ['image', 'ls', '-q'], remove: ['rmi', '-f'] },
];

export function createDockerClient(shell: Shell): DockerClient {
  let version: 1 | 2 | undefined;
  const labelledIds = async (list: string[], labId: string, quiet: boolean) =>
    [...new Set((await shell.run('docker', [...list, '--filter', `label=${labLabel}=${labId}`], { quiet })).stdout.split('\n').filter(Boolean))];
  return {
    async ensureEngine() {
      const result = await shell.tryRun('docker', ['info', '--format', '{{.ServerVersion}}'], { quiet: true, timeoutSeconds: 20 });
      if (result.exitCode !== 0) {
        throw new EnvironmentError(
          `The Docker engine is not reachable (docker info: ${result.stderr.trim().split('\n').at(-1) ?? 'no answer'}).`,
          'Start Docker (Docker Desktop, or `sudo systemctl start docker` on Linux) and check with: docker info',
        );
      }
    },
    async cgroupVersion() {
      if (version) return version;
      const result = await shell.run('docker', ['info', '--format', '{{.CgroupVersion}}'], { quiet: true });
      version = result.stdout.trim() === '2' ? 2 : 1;
      return version;
    },
    async inspect(container) {
      const result = await shell.tryRun('docker', ['container', 'inspect', container], { quiet: true });
      if (result.exitCode !== 0) {
        if (/No such (container|object)/i.test(result.stderr)) return null;
        throw new CommandFailed(result);
      }
      return (JSON.parse(result.stdout) as ContainerInspect[])[0] ?? null;
    },
    async readCgroup(container, file) {
      // Inside a container the cgroup is mounted at /sys/fs/cgroup: on v2 the container's own
      // cgroup is the root (private cgroup namespace); on v1 each controller has its directory.
      const path = (await this.cgroupVersion()) === 2 ? `/sys/fs/cgroup/${file.v2}` : `/sys/fs/cgroup/${file.v1}`;
      return (await shell.run('docker', ['exec', container, 'cat', path])).stdout;
    },
    async runDetached(labId, name, options, image, command) {
      await shell.run('docker', ['run', '-d', '--name', name, '--label', `${labLabel}=${labId}`, ...options, image, ...command]);
    },
    async removeContainer(name) {
      const result = await shell.tryRun('docker', ['rm', '-f', name]);
      if (result.exitCode !== 0 && !/No such container/i.test(result.stderr)) throw new CommandFailed(result);
    },
    async listLabelled(labId) {
      const found: string[] = [];
      for (const { kind, list } of labelledKinds) found.push(...(await labelledIds(list, labId, true)).map((id) => `${kind} ${id}`));
      return found;
    },
    async removeLabelled(labId) {
      // In this order: a network or volume cannot go while a container still uses it.
      for (const { list, remove } of labelledKinds) {
        const ids = await labelledIds(list, labId, false);
        if (ids.length > 0) await shell.run('docker', [...remove, ...ids]);
      }
    },
    async imageExists(image) {
      return (await shell.tryRun('docker', ['image', 'inspect', image], { quiet: true })).exitCode === 0;
    },
  };
}

/**
 * Removes the container if it exists and runs it again with the lab label: what an idempotent
 * setup (and a cheat that replaces a container) needs. The image defaults to the lab busybox.
 */
export async function recreateContainer(
  ctx: Pick<StepContext, 'docker' | 'labId'>,
  name: string,
  options: string[],
  command: string[],
  image = imageRef('busybox'),
): Promise<void> {
  await ctx.docker.removeContainer(name);
  await ctx.docker.runDetached(ctx.labId, name, options, image, command);
}
