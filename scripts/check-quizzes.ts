// Static check of the quiz data: every file against the schema, ids unique across quizzes,
// and every teachesIn a page that exists. Usage: node scripts/check-quizzes.ts [--pages FILE]
// (--pages: a file listing site paths, one per line, to check teachesIn against instead).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { crossQuizProblems, quizProblems, quizSchema, type Quiz } from '../src/lib/quiz-schema.ts';
import { sitePaths } from './lib/site-pages.ts';

const { values } = parseArgs({ options: { pages: { type: 'string' } } });
const dir = 'src/content/quizzes';
const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${dir}/${f}`) : [];
const problems: string[] = [];
const valid: { file: string; quiz: Quiz }[] = [];
for (const file of files) {
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    problems.push(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    continue;
  }
  const found = quizProblems(file, data);
  problems.push(...found);
  if (found.length === 0) valid.push({ file, quiz: quizSchema.parse(data) });
}
const pages = values.pages ? new Set(readFileSync(values.pages, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean)) : sitePaths();
problems.push(...crossQuizProblems(valid, pages));
if (problems.length > 0) {
  console.error(`check-quizzes: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
const count = valid.reduce((n, { quiz }) => n + quiz.questions.length, 0);
console.log(`check-quizzes: ${valid.length} quiz file(s), ${count} questions, all valid`);
