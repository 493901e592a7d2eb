// `npm run lab -- <verb> ...`: argument handling, help, exit codes and Ctrl-C cleanup.
// Exit codes: 0 success, 1 check failed (or a lab test failed), 2 usage error, 3 environment error.
import { parseArgs } from 'node:util';
import { formatTargets } from '../../src/lib/labs.ts';
import { clusterDown, clusterUp, runDoctor } from './environment.ts';
import type { Target } from './lab.ts';
import { listLabs } from './registry.ts';
import { EnvironmentError, UsageError } from './result.ts';
import { answerLab, checkLab, cleanupLab, hintLab, openSession, resetLab, solveLab, startLab, statusLab, type RunOptions } from './runner.ts';
import { formatReport, proveLab, skippedSteps, writeReport } from './solvability.ts';
import { appendFileSync } from 'node:fs';
import { CommandFailed, type Printer } from './shell.ts';
import { buildLocalImages } from './local-images.ts';

export const verbs: Record<string, { usage: string; help: string }> = {
  list: { usage: 'list', help: 'List the labs with what they run on and how long they take.' },
  doctor: { usage: 'doctor', help: 'Check Docker, kind, kubectl, Node.js and the lab cluster, and say what to fix.' },
  start: { usage: 'start <lab> [--from <step>] [--target docker|kind]', help: 'Set up a lab (from its first step, or --from a step) and show the goal.' },
  check: { usage: 'check [<lab>]', help: 'Check the current step against real state; on success, move to the next step.' },
  answer: { usage: 'answer "<text>"', help: 'Answer the current diagnose step (what is the cause?); it is checked against live state.' },
  hint: { usage: 'hint [<lab>]', help: 'Show the next hint for the current step.' },
  solve: { usage: 'solve [<lab>]', help: 'Do the current step for you, printing every command, then move on.' },
  status: { usage: 'status [<lab>]', help: 'Show progress: steps done (by you or by solve), hints used.' },
  reset: { usage: 'reset [<lab>]', help: 'Remove everything the lab created and forget its progress.' },
  cleanup: { usage: 'cleanup [<lab>|--all]', help: 'Remove everything a lab (or every lab) created; progress is kept.' },
  test: { usage: 'test <lab>|--all [--target docker|kind] [--runs N] [--report]', help: 'Prove labs solvable: setup, check fails, cheats fail, solve, check passes, cleanup, twice.' },
  cluster: { usage: 'cluster up|down', help: 'Create or delete the lab kind cluster (kind-module9), with the pinned node image.' },
  images: { usage: 'images local', help: 'Build the lab images locally from Debian packages (for machines without a registry); use with LAB_IMAGE_MIRROR=module9.local.' },
};

const commonOptions = {
  help: { type: 'boolean', short: 'h', default: false },
  context: { type: 'string' },
  'confirm-context': { type: 'boolean', default: false },
  target: { type: 'string' },
  from: { type: 'string' },
  all: { type: 'boolean', default: false },
  runs: { type: 'string' },
  report: { type: 'boolean', default: false },
} as const;

export function usage(): string {
  const lines = ['Usage: npm run lab -- <verb> [options]', '', 'Verbs:'];
  for (const { usage: u, help } of Object.values(verbs)) lines.push(`  ${u.padEnd(62)} ${help}`);
  lines.push('', 'Options for kind steps: --context NAME --confirm-context to use a cluster other than kind-module9.');
  lines.push('Exit codes: 0 success, 1 check failed, 2 usage error, 3 environment error.');
  return lines.join('\n');
}

function parseTarget(value: string | undefined): Target | undefined {
  if (value === undefined) return undefined;
  if (value !== 'docker' && value !== 'kind') throw new UsageError(`--target must be docker or kind, not "${value}".`);
  return value;
}

/** Parses argv into a verb and options, or throws UsageError with what to type instead. */
export function parseCommand(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: commonOptions, allowPositionals: true, strict: true });
  } catch (cause) {
    throw new UsageError(`${(cause as Error).message.split('\n')[0]}. See: npm run lab -- --help`);
  }
  const [verb, ...rest] = parsed.positionals;
  const values = parsed.values;
  if (!verb) return { verb: 'help', rest, values, target: undefined };
  if (!(verb in verbs)) throw new UsageError(`Unknown verb "${verb}". Verbs: ${Object.keys(verbs).join(', ')}. See: npm run lab -- --help`);
  if (values.help) return { verb, rest, values, target: undefined };
  const target = parseTarget(values.target);
  const maxPositionals: Record<string, number> = { list: 0, doctor: 0, start: 1, check: 1, answer: 1, hint: 1, solve: 1, status: 1, reset: 1, cleanup: 1, test: 1, cluster: 1, images: 1 };
  if (rest.length > (maxPositionals[verb] ?? 0)) throw new UsageError(`Too many arguments for ${verb}. Usage: npm run lab -- ${verbs[verb]!.usage}`);
  if (verb === 'start' && rest.length === 0) throw new UsageError('Name the lab to start: npm run lab -- start <lab> (see npm run lab -- list)');
  if (verb === 'answer' && rest.length === 0) throw new UsageError('Give your answer: npm run lab -- answer "<text>" (npm run lab -- status shows the question)');
  if (verb === 'test' && rest.length === 0 && !values.all) throw new UsageError('Name a lab or pass --all: npm run lab -- test <lab>|--all');
  if (verb === 'cluster' && rest[0] !== 'up' && rest[0] !== 'down') throw new UsageError('Usage: npm run lab -- cluster up|down');
  if (verb === 'images' && rest[0] !== 'local') throw new UsageError('Usage: npm run lab -- images local');
  if (values.from && verb !== 'start') throw new UsageError('--from goes with start: npm run lab -- start <lab> --from <step>');
  if (values.runs !== undefined && !/^[1-9]\d*$/.test(values.runs)) throw new UsageError(`--runs takes a whole number of runs, not "${values.runs}".`);
  return { verb, rest, values, target };
}

export async function main(argv: string[], print: Printer = (line) => console.log(line)): Promise<number> {
  let command;
  try {
    command = parseCommand(argv);
  } catch (cause) {
    console.error(`error: ${(cause as Error).message}`);
    return 2;
  }
  const { verb, rest, values, target } = command;
  if (verb === 'help' || values.help) {
    print(verb !== 'help' ? `Usage: npm run lab -- ${verbs[verb]!.usage}\n${verbs[verb]!.help}` : usage());
    return 0;
  }
  const options: RunOptions = { print, context: values.context, confirmContext: values['confirm-context'], target };
  // Ctrl-C during a verb that creates things: clean up the lab, then exit 130.
  let interruptCleanup: (() => Promise<void>) | undefined;
  const onInterrupt = () => {
    print('\nInterrupted: cleaning up what the lab created...');
    void (interruptCleanup?.() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onInterrupt);
  try {
    switch (verb) {
      case 'list': {
        const labs = listLabs();
        if (labs.length === 0) print('No labs yet.');
        for (const lab of labs) print(`${lab.id.padEnd(34)} ${formatTargets(lab.targets).padEnd(28)} ~${lab.estimatedMinutes} min  ${lab.title}`);
        return 0;
      }
      case 'doctor':
        return (await runDoctor(print)) ? 0 : 3;
      case 'start':
        interruptCleanup = async () => cleanupLab(await openSession(rest[0]!, options));
        await startLab(rest[0]!, values.from, options);
        return 0;
      case 'check': {
        const result = await checkLab(rest[0], options);
        return result.status === 'pass' ? 0 : result.status === 'fail' ? 1 : 3;
      }
      case 'answer': {
        const result = await answerLab(rest[0]!, options);
        return result.status === 'pass' ? 0 : result.status === 'fail' ? 1 : 3;
      }
      case 'hint':
        await hintLab(rest[0], options);
        return 0;
      case 'solve':
        await solveLab(rest[0], options);
        return 0;
      case 'status':
        await statusLab(rest[0], options);
        return 0;
      case 'reset':
        await resetLab(rest[0], options);
        return 0;
      case 'cleanup': {
        const ids = values.all || rest.length === 0 ? listLabs().map((l) => l.id) : [rest[0]!];
        for (const id of ids) await cleanupLab(await openSession(id, options));
        return 0;
      }
      case 'test': {
        const ids = values.all ? listLabs().filter((l) => !target || l.targets.includes(target)).map((l) => l.id) : [rest[0]!];
        const targets: Target[] = target ? [target] : ['docker', 'kind'];
        let ok = true;
        for (const id of ids) {
          for (const t of targets) {
            const session = await openSession(id, { ...options, target: t });
            if (!session.lab.steps.some((s) => s.target === t)) continue;
            interruptCleanup = () => cleanupLab(session);
            const report = await proveLab(id, t, options, values.runs ? Number(values.runs) : 2);
            print(formatReport(report));
            // npm test names every skipped step in its summary (scripts/test.ts).
            if (process.env.LAB_TEST_SKIPS) {
              for (const skipped of skippedSteps(report)) appendFileSync(process.env.LAB_TEST_SKIPS, `${report.lab}/${skipped.step} (${t}): ${skipped.detail}\n`);
            }
            if (values.report) print(`report written to ${writeReport(report)}`);
            ok &&= report.passed;
          }
        }
        return ok ? 0 : 1;
      }
      case 'cluster':
        await (rest[0] === 'up' ? clusterUp(print) : clusterDown(print));
        return 0;
      case 'images':
        await buildLocalImages(print);
        return 0;
    }
    return 2;
  } catch (cause) {
    if (cause instanceof UsageError) {
      console.error(`error: ${cause.message}`);
      return 2;
    }
    if (cause instanceof EnvironmentError) {
      console.error(`error: ${cause.message}\nnext: ${cause.next}`);
      return 3;
    }
    if (cause instanceof CommandFailed) {
      console.error(`error: ${cause.message}\nnext: fix what the command reports, then run the same lab command again; npm run lab -- doctor checks your setup.`);
      return 3;
    }
    throw cause;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}
