// Lab 3: Debugging scenarios. Page: /labs/lab-3-debugging-scenarios/
// Run it with: npm run lab -- start lab-3-debugging-scenarios
// The Docker scenarios are here; the Kubernetes scenarios are being written.
import { defineLab } from '../lib/lab.ts';
import { dockerSteps } from './docker-steps.ts';

export default defineLab({
  id: 'lab-3-debugging-scenarios',
  steps: dockerSteps,
});
