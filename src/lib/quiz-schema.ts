// The quiz data schema (src/content/quizzes/*.yaml). Every rule names the question id and
// says what to fix, because Astro reports schema errors by path, not by question.
import { z } from 'zod';

export const quizTopics = ['monitoring', 'resources', 'debugging', 'observability', 'testing', 'enterprise'] as const;

export const topicLabels: Record<(typeof quizTopics)[number], string> = {
  monitoring: 'Performance monitoring',
  resources: 'Resource optimization',
  debugging: 'Debugging and troubleshooting',
  observability: 'Observability',
  testing: 'Performance testing',
  enterprise: 'Enterprise troubleshooting',
};

const optionSchema = z.strictObject({
  text: z.string().min(1),
  correct: z.boolean().optional(),
  why: z.string().min(10, 'each option needs a "why" of at least a few words: why it is right or wrong'),
});

export const questionSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)+$/, 'question ids look like <quiz>-<short-name>, e.g. cka-qos-guaranteed'),
    topic: z.enum(quizTopics),
    type: z.enum(['single', 'multiple', 'task']),
    prompt: z.string().min(10),
    options: z.array(optionSchema).min(2, 'a question needs at least 2 options').max(6, 'a question has at most 6 options'),
    explanation: z.string().min(10),
    source: z.strictObject({ title: z.string().min(3), url: z.url({ protocol: /^https$/, error: 'source.url must be an https URL to the upstream documentation' }) }),
    checkedAgainst: z.string().min(3),
    teachesIn: z.string().regex(/^\/([a-z0-9-]+\/)+$/, 'teachesIn is a site path such as /topics/2-resources/qos-and-eviction/'),
  })
  .superRefine((question, ctx) => {
    const correct = question.options.filter((o) => o.correct).length;
    const where = `question "${question.id}"`;
    if (question.type !== 'multiple' && correct !== 1) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: `${where} is "${question.type}" and needs exactly one option with correct: true (found ${correct})` });
    }
    if (question.type === 'multiple' && correct < 1) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: `${where} needs at least one option with correct: true` });
    }
    const texts = question.options.map((o) => o.text);
    if (new Set(texts).size !== texts.length) ctx.addIssue({ code: 'custom', path: ['options'], message: `${where} has two options with the same text` });
  });

export const quizSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().min(3),
    certification: z.string().min(3),
    examMinutes: z.number().int().positive(),
    questions: z.array(questionSchema).min(1),
  })
  .superRefine((quiz, ctx) => {
    const seen = new Set<string>();
    quiz.questions.forEach((q, index) => {
      if (seen.has(q.id)) ctx.addIssue({ code: 'custom', path: ['questions', index, 'id'], message: `question id "${q.id}" is used twice in quiz "${quiz.id}"; ids must be unique` });
      seen.add(q.id);
    });
  });

export type Quiz = z.infer<typeof quizSchema>;
export type Question = z.infer<typeof questionSchema>;

/** Readable problems for a parsed YAML file, or [] when it is valid. */
export function quizProblems(file: string, data: unknown): string[] {
  const result = quizSchema.safeParse(data);
  if (result.success) return [];
  const questions = (data as { questions?: { id?: string }[] } | null)?.questions;
  return result.error.issues.map((issue) => {
    const [first, index] = issue.path;
    const id = first === 'questions' && typeof index === 'number' ? questions?.[index]?.id : undefined;
    const where = id && !issue.message.includes(`"${id}"`) ? `question "${id}", ` : '';
    return `${file}: ${where}${issue.path.join('.') || '(file)'}: ${issue.message}`;
  });
}

/** Problems across files: ids unique across quizzes, teachesIn pages that exist. */
export function crossQuizProblems(quizzes: { file: string; quiz: Quiz }[], pagePaths: Set<string>): string[] {
  const problems: string[] = [];
  const owner = new Map<string, string>();
  for (const { file, quiz } of quizzes) {
    if (!file.endsWith(`/${quiz.id}.yaml`)) problems.push(`${file}: id "${quiz.id}" must match the file name (${quiz.id}.yaml)`);
    for (const q of quiz.questions) {
      const previous = owner.get(q.id);
      if (previous && previous !== file) problems.push(`${file}: question "${q.id}" has the same id as a question in ${previous}; ids are unique across quizzes`);
      owner.set(q.id, file);
      if (!pagePaths.has(q.teachesIn)) problems.push(`${file}: question "${q.id}": teachesIn "${q.teachesIn}" is not a page of the site; use the path of the page that teaches it`);
    }
  }
  return problems;
}
