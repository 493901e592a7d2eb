// Scenario 1: Production performance issue. Page: /scenarios/scenario-1-production-performance/
// Run it with: npm run lab -- start scenario-1-production-performance [--target docker|kind]
// A shop answers quotes slowly under its usual traffic; the learner finds the cause from
// metrics, names it (a diagnose step), then fixes it, on Docker and on a kind cluster.
import { defineLab } from '../lib/lab.ts';
import { dockerSteps } from './docker-steps.ts';
import { kindSteps } from './kind-steps.ts';

export default defineLab({
  id: 'scenario-1-production-performance',
  steps: [...dockerSteps, ...kindSteps],
});
