// Lab 2: Resource optimization. Page: /labs/lab-2-resource-optimization/
// Run it with: npm run lab -- start lab-2-resource-optimization
import { defineLab } from '../lib/lab.ts';
import { dockerSteps } from './docker-steps.ts';
import { kindSteps } from './kind-steps.ts';

export default defineLab({
  id: 'lab-2-resource-optimization',
  steps: [...dockerSteps, ...kindSteps],
});
