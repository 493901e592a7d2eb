// Lab metadata: each lab folder holds a `meta.json` that both the site (the labs index) and
// the lab runtime read. JSON rather than the lab module itself, so building the site never
// imports lab code (zx, child processes). See docs/decisions/0002-lab-metadata-json.md.
import { z } from 'zod';

export const labTargets = ['docker', 'kind'] as const;

export const labMetaSchema = z.strictObject({
    /** Folder name under labs/, also the CLI name: `npm run lab -- <id> start`. */
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'use lowercase words joined by hyphens'),
    /** Position in the module (Lab 1 … Lab 5; scenarios use their own numbering). */
    number: z.number().int().positive(),
    title: z.string().min(3),
    summary: z.string().min(10),
    targets: z.array(z.enum(labTargets)).min(1),
    estimatedMinutes: z.number().int().positive(),
    /** Slug of the lab's page under src/content/docs, e.g. `labs/lab-2-resource-optimization`. */
    page: z.string().regex(/^[a-z0-9/-]+$/, 'a docs slug such as labs/lab-2-resource-optimization'),
    /** A hands-on lab (listed under Hands-on labs) or a real-world scenario (under Real-world scenarios). */
    kind: z.enum(['lab', 'scenario']).default('lab'),
    /**
     * Troubleshooting labs hand the learner a broken system: each step with a symptom must have
     * a diagnose step before it and a conceal list, checked by scripts/check-labs.ts.
     */
    troubleshooting: z.boolean().default(false),
});

export type LabMeta = z.infer<typeof labMetaSchema>;

/** Turns `{ '/labs/x/meta.json': data }` (as `import.meta.glob` gives it) into sorted, checked metadata. */
export function parseLabMetas(files: Record<string, unknown>): LabMeta[] {
  const labs: LabMeta[] = [];
  for (const [file, data] of Object.entries(files)) {
    const result = labMetaSchema.safeParse(data);
    if (!result.success) {
      const problems = result.error.issues
        .map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('\n');
      throw new Error(`${file} is not valid lab metadata:\n${problems}\nFix the file; the schema is labMetaSchema in src/lib/labs.ts.`);
    }
    const folder = file.split('/').at(-2);
    if (folder !== result.data.id) {
      throw new Error(`${file}: "id" is "${result.data.id}" but the folder is "${folder}". Make them the same.`);
    }
    labs.push(result.data);
  }
  // Labs first, then scenarios, each by number.
  return labs.sort((a, b) => a.kind.localeCompare(b.kind) || a.number - b.number || a.id.localeCompare(b.id));
}

export function formatTargets(targets: LabMeta['targets']): string {
  return targets.map((target) => (target === 'kind' ? 'Kubernetes (kind)' : 'Docker')).join(' + ');
}
