// Lab 1: Container performance monitoring. Page: /labs/lab-1-container-monitoring/
// Run it with: npm run lab -- start lab-1-container-monitoring
import { defineLab } from '../lib/lab.ts';
import { dockerSteps } from './docker-steps.ts';
import { kindSteps } from './kind-steps.ts';

export default defineLab({
  id: 'lab-1-container-monitoring',
  steps: [...dockerSteps, ...kindSteps],
});
