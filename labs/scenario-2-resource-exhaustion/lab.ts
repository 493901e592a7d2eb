// Scenario 2: Resource exhaustion. Page: /scenarios/scenario-2-resource-exhaustion/
// Run it with: npm run lab -- start scenario-2-resource-exhaustion [--target docker|kind]
// The billing app fails some invoice downloads while one of its containers keeps restarting;
// the learner finds which container and which resource, names them (a diagnose step), then
// makes the app stable, on Docker and on a kind cluster.
import { defineLab } from '../lib/lab.ts';
import { dockerSteps } from './docker-steps.ts';
import { kindSteps } from './kind-steps.ts';

export default defineLab({
  id: 'scenario-2-resource-exhaustion',
  steps: [...dockerSteps, ...kindSteps],
});
