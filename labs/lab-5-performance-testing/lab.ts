// Lab 5: Performance testing. Page: /labs/lab-5-performance-testing/
// Run it with: npm run lab -- start lab-5-performance-testing
import { defineLab } from '../lib/lab.ts';
import { dockerSteps } from './docker-steps.ts';
import { kindSteps } from './kind-steps.ts';

export default defineLab({
  id: 'lab-5-performance-testing',
  steps: [...dockerSteps, ...kindSteps],
});
