// Scenario 3: Checkout errors in a small microservices shop. Page: /scenarios/scenario-3-checkout-errors/
// Run it with: npm run lab -- start scenario-3-checkout-errors
import { defineLab } from '../lib/lab.ts';
import { dockerSteps } from './docker-steps.ts';
import { kindSteps } from './kind-steps.ts';

export default defineLab({
  id: 'scenario-3-checkout-errors',
  steps: [...dockerSteps, ...kindSteps],
});
