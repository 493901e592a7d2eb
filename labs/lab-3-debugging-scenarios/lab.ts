// Lab 3: Debugging scenarios. Page: /labs/lab-3-debugging-scenarios/
// Run it with: npm run lab -- start lab-3-debugging-scenarios [--target docker|kind]
// Four Docker scenarios (docker-steps.ts) and six Kubernetes scenarios on kind (kind-steps.ts),
// each a diagnose step (name the cause) followed by a fix step.
import { defineLab } from '../lib/lab.ts';
import { dockerSteps } from './docker-steps.ts';
import { kindSteps } from './kind-steps.ts';

export default defineLab({
  id: 'lab-3-debugging-scenarios',
  steps: [...dockerSteps, ...kindSteps],
});
