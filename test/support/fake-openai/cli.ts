// The fake OpenAI server as a process, for benchmarks and manual tries:
//   npm run fake-llm -- --port 4010 --latency-ms 300 --tokens-per-second 50 --rpm 600
//   npm run fake-llm -- --fault '{"fault":{"type":"server-error"},"probability":0.1}'
// Prints one line with the URL when ready; GET <url>/_fake/stats returns the counts.
import { parseArgs } from 'node:util';
import { startFakeOpenAI, type FaultRule } from './fake-openai.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    'latency-ms': { type: 'string', default: '0' },
    'tokens-per-second': { type: 'string', default: '0' },
    rpm: { type: 'string' },
    models: { type: 'string' },
    keys: { type: 'string' },
    fault: { type: 'string', multiple: true },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: npm run fake-llm -- [--port 4010] [--host 127.0.0.1] [--latency-ms 0] [--tokens-per-second 0]\n' +
      '  [--rpm N] [--models a,b] [--keys k1,k2] [--fault \'{"fault":{"type":"hang"},"times":1}\' ...]',
  );
  process.exit(0);
}

function number(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`fake-llm: --${name} must be a non-negative number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const faults: FaultRule[] = (values.fault ?? []).map((text) => {
  try {
    return JSON.parse(text) as FaultRule;
  } catch {
    console.error(
      `fake-llm: --fault must be JSON like {"fault":{"type":"server-error"}}, got ${text}`,
    );
    process.exit(2);
  }
});

const fake = await startFakeOpenAI({
  port: number('port', values.port),
  host: values.host,
  latencyMs: number('latency-ms', values['latency-ms']),
  tokensPerSecond: number('tokens-per-second', values['tokens-per-second']),
  rateLimit: values.rpm ? { rpm: number('rpm', values.rpm) } : undefined,
  models: values.models?.split(',').map((m) => m.trim()),
  keys: values.keys?.split(',').map((k) => k.trim()),
});
for (const rule of faults) fake.inject(rule);
console.log(`fake OpenAI listening at ${fake.url}`);

const stop = () => {
  console.log(`fake OpenAI stopping; requests: ${JSON.stringify(fake.counts)}`);
  void fake.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
