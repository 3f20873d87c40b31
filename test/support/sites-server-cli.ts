// The sites server as its own process, for benches: node dist/test/support/sites-server-cli.js --page-delay-ms 100
import { startSitesServer } from './sites-server.js';

const args = process.argv.slice(2);
const delayArg = args.indexOf('--page-delay-ms');
const pageDelayMs = delayArg >= 0 ? Number(args[delayArg + 1]) : 0;
const server = await startSitesServer({ pageDelayMs });
process.stdout.write(`sites server listening on port ${server.port}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
