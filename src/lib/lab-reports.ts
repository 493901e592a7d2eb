// Solvability reports as the site reads them; a malformed report fails the build by name.
import { z } from 'zod';
import { localMirror } from '../../labs/lib/images.ts';

const stepSchema = z.object({
  step: z.string(),
  target: z.enum(['docker', 'kind']),
  // SKIP: the step's images could not be had on the measuring machine (labs/lib/solvability.ts).
  status: z.enum(['PASS', 'FAIL', 'ERROR', 'SKIP']),
  phase: z.string(),
  detail: z.string(),
  setupSeconds: z.number(),
  solveSeconds: z.number(),
});

export const labReportSchema = z.object({
  lab: z.string(),
  target: z.enum(['docker', 'kind']),
  measuredAt: z.iso.datetime(),
  environment: z.record(z.string(), z.string()),
  runs: z.array(z.object({ run: z.number(), steps: z.array(stepSchema), cleanup: z.enum(['PASS', 'FAIL']), cleanupDetail: z.string(), seconds: z.number() })).min(1),
  passed: z.boolean(),
});

export type LabReportData = z.infer<typeof labReportSchema>;

/** How a report's first run went, in words for the lab page. */
export function reportOutcome(report: LabReportData): string {
  const steps = report.runs[0]!.steps;
  const skipped = steps.filter((s) => s.status === 'SKIP').length;
  if (!report.passed) return 'not every step passed';
  if (skipped === 0) return 'every step passed';
  if (skipped === steps.length) return 'every step was skipped there, because its images cannot be had on that machine';
  return `every step that could run passed; ${skipped} of ${steps.length} were skipped there, because their images cannot be had on that machine`;
}

/** The machine a report was measured on, in words (the report keeps the raw `docker info` values). */
export function describeEnvironment(environment: Record<string, string>): string {
  const { dockerEngine, cgroupVersion, cgroupDriver, kubeContext, node, imageMirror, ...rest } = environment;
  const parts: string[] = [];
  if (dockerEngine) parts.push(`Docker Engine ${dockerEngine}`);
  if (cgroupVersion) parts.push(`cgroup v${cgroupVersion}${cgroupDriver ? ` with the ${cgroupDriver} driver` : ''}`);
  if (kubeContext) parts.push(`kube context ${kubeContext}`);
  if (node) parts.push(`Node.js ${node.replace(/^v/, '')}`);
  if (imageMirror) parts.push(imageMirror === localMirror ? `images built locally (${localMirror})` : `images from the mirror ${imageMirror}`);
  // A key this function does not know yet still shows, as it was recorded.
  for (const [key, value] of Object.entries(rest)) parts.push(`${key} ${value}`);
  return parts.join(', ');
}

/** A step's result over every run: one status when the runs agree, else each status once. */
export function stepResult(report: LabReportData, stepId: string): string {
  const statuses = new Set(report.runs.map((run) => run.steps.find((s) => s.step === stepId)?.status ?? 'missing'));
  if (statuses.has('SKIP')) return 'skipped: its images are not available there';
  return [...statuses].join(', ');
}

/** A step's seconds in one run, as the table shows them: a skipped step did not run. */
export function stepSeconds(report: LabReportData, run: number, stepId: string, phase: 'setupSeconds' | 'solveSeconds'): string {
  const step = report.runs[run]?.steps.find((s) => s.step === stepId);
  if (!step) return '–';
  return step.status === 'SKIP' ? 'not run' : String(step[phase]);
}

export function parseReports(files: Record<string, unknown>): LabReportData[] {
  return Object.entries(files).map(([file, data]) => {
    const result = labReportSchema.safeParse(data);
    if (!result.success) {
      throw new Error(`${file} is not a valid solvability report (${result.error.issues[0]?.path.join('.')}: ${result.error.issues[0]?.message}). Regenerate it: npm run lab -- test <lab> --target <target> --report`);
    }
    return result.data;
  });
}
