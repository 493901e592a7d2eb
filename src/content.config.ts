import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';
import { docsLoader } from '@astrojs/starlight/loaders';
import { docsSchema } from '@astrojs/starlight/schema';
import { quizSchema } from './lib/quiz-schema.ts';

export const collections = {
  docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }),
  // Certification-prep quizzes; scripts/check-quizzes.ts adds the checks across files.
  quizzes: defineCollection({ loader: glob({ pattern: '*.yaml', base: './src/content/quizzes' }), schema: quizSchema }),
};
