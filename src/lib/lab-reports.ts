// Solvability reports as the site reads them; a malformed report fails the build by name.
import { z } from 'zod';

const stepSchema = z.object({
  step: z.string(),
  target: z.enum(['docker', 'kind']),
  /** SKIP: the step's images could not be had where it was measured (labs/lib/solvability.ts). */
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

export function parseReports(files: Record<string, unknown>): LabReportData[] {
  return Object.entries(files).map(([file, data]) => {
    const result = labReportSchema.safeParse(data);
    if (!result.success) {
      throw new Error(`${file} is not a valid solvability report (${result.error.issues[0]?.path.join('.')}: ${result.error.issues[0]?.message}). Regenerate it: npm run lab -- test <lab> --target <target> --report`);
    }
    return result.data;
  });
}
