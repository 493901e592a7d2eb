// Entry point of `npm run lab -- <verb>`; the CLI lives in labs/lib/cli.ts.
import { main } from '../labs/lib/cli.ts';

process.exitCode = await main(process.argv.slice(2));
