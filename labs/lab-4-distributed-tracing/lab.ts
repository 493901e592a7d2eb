// Lab 4: Distributed tracing. Page: /labs/lab-4-distributed-tracing/
// Run it with: npm run lab -- start lab-4-distributed-tracing
import { defineLab } from '../lib/lab.ts';
import { dockerSteps } from './docker-steps.ts';
import { kindSteps } from './kind-steps.ts';

export default defineLab({
  id: 'lab-4-distributed-tracing',
  steps: [...dockerSteps, ...kindSteps],
});
