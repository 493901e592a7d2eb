// Runs the docker, kubectl and kind commands a lab needs, and prints each one first exactly
// as a learner could type it. Every command has a timeout; a failure names the command and
// what to do next.
import { $, quote } from 'zx';
import { EnvironmentError } from './result.ts';

export interface CommandResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type Printer = (line: string) => void;

export interface Shell {
  /** Runs a command; resolves with its result whatever the exit code. */
  tryRun(command: string, args: string[], options?: { timeoutSeconds?: number; input?: string | Buffer; quiet?: boolean }): Promise<CommandResult>;
  /** Runs a command and throws CommandFailed unless it exits 0. */
  run(command: string, args: string[], options?: { timeoutSeconds?: number; input?: string | Buffer; quiet?: boolean }): Promise<CommandResult>;
}

export class CommandFailed extends Error {
  readonly result: CommandResult;
  constructor(result: CommandResult) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n  ');
    super(`command failed (exit ${result.exitCode}): ${result.command}${detail ? `\n  ${detail}` : ''}`);
    this.name = 'CommandFailed';
    this.result = result;
  }
}

export function formatCommand(command: string, args: string[]): string {
  return [command, ...args].map((part) => quote(part)).join(' ');
}

const missingToolHelp: Record<string, string> = {
  docker: 'Install Docker (https://docs.docker.com/engine/install/) and make sure `docker version` works.',
  kubectl: 'Install kubectl (https://kubernetes.io/docs/tasks/tools/) and make sure `kubectl version --client` works.',
  kind: 'Install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) and make sure `kind version` works.',
  helm: 'Install Helm (https://helm.sh/docs/intro/install/) and make sure `helm version` works.',
};

export function createShell(print: Printer = (line) => console.log(line)): Shell {
  const tryRun: Shell['tryRun'] = async (command, args, options = {}) => {
    const shown = formatCommand(command, args);
    if (!options.quiet) print(`$ ${shown}`);
    const timeout = `${options.timeoutSeconds ?? 60}s` as const;
    const output = await $({ quiet: true, nothrow: true, timeout, input: options.input })`${command} ${args}`;
    if (output.exitCode === null && output.signal) {
      return { command: shown, exitCode: 124, stdout: output.stdout, stderr: `timed out after ${timeout}: ${shown}` };
    }
    // zx runs commands through bash, which answers a missing command with exit 127.
    if (output.exitCode === 127 && /not found/.test(output.stderr)) {
      throw new EnvironmentError(
        `\`${command}\` was not found on PATH (needed for: ${shown}).`,
        missingToolHelp[command] ?? `Install ${command} and make sure it is on PATH.`,
      );
    }
    return { command: shown, exitCode: output.exitCode ?? 1, stdout: output.stdout, stderr: output.stderr };
  };
  return {
    tryRun,
    async run(command, args, options) {
      const result = await tryRun(command, args, options);
      if (result.exitCode !== 0) throw new CommandFailed(result);
      return result;
    },
  };
}
