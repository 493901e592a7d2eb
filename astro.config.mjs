// @ts-check
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
import { satteri } from '@astrojs/markdown-satteri';
import starlightLinksValidator from 'starlight-links-validator';
import { buildSidebar } from './src/lib/sidebar.ts';
import { siteBase, siteUrl } from './src/lib/site-env.ts';
import { baseLinksPlugin } from './src/lib/base-links.ts';

const base = siteBase(process.env.SITE_BASE);
const docsDir = fileURLToPath(new URL('./src/content/docs/', import.meta.url));

export default defineConfig({
  // SITE_URL and SITE_BASE let the same build serve at / locally and under a GitHub Pages
  // sub-path (https://<owner>.github.io/<repo>/); the Pages workflow sets both.
  site: siteUrl(process.env.SITE_URL),
  base,
  markdown: { processor: satteri({ mdastPlugins: [baseLinksPlugin(base)] }) },
  integrations: [
    starlight({
      title: 'Module 9: Container Performance & Troubleshooting',
      description:
        'Hands-on course module: monitor, right-size, debug and observe containers on Docker and Kubernetes.',
      favicon: '/favicon.svg',
      logo: { src: './src/assets/logo.svg', alt: '' },
      customCss: ['./src/styles/custom.css'],
      sidebar: buildSidebar(docsDir),
      // Wrap long lines instead of scrolling: a scrollable code block is a focusable region
      // that axe requires a name for, and learners copy commands more easily when they see them whole.
      expressiveCode: { defaultProps: { wrap: true } },
      lastUpdated: false,
      pagination: true,
      plugins: [
        // Fails the build on a broken internal link or anchor, naming the file and the link.
        starlightLinksValidator({ errorOnRelativeLinks: false }),
      ],
    }),
  ],
});
