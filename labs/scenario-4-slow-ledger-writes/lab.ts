// Scenario 4: Slow bookings on a ledger with a persistent volume. Page: /scenarios/scenario-4-slow-ledger-writes/
// Run it with: npm run lab -- start scenario-4-slow-ledger-writes
import { defineLab } from '../lib/lab.ts';
import { dockerSteps } from './docker-steps.ts';

export default defineLab({
  id: 'scenario-4-slow-ledger-writes',
  steps: [...dockerSteps],
});
