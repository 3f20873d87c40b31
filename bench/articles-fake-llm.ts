// The fake OpenAI server of the articles bench, as a process of its own (so its 500 ms timers do
// not share the app's event loop): it answers the weight and cost-model requests as a competent
// model would (test/support/factories/articles.ts). Prints "listening at <url>" when ready.
import { competentModel } from '../test/support/factories/articles.js';
import { startFakeOpenAI } from '../test/support/fake-openai/fake-openai.js';

const latencyMs = Number(process.argv[2] ?? '500');
const fake = await startFakeOpenAI({ port: 0, latencyMs, respond: competentModel });
process.stdout.write(`listening at ${fake.url}\n`);
process.once('SIGTERM', () => {
  void fake.stop().then(() => process.exit(0));
});
