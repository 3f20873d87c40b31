// The fake OpenAI server for bench/conversations, as a process of its own: 300 ms to the first
// token, then 50 tokens/s, answers of ANSWER_WORDS words. Takes fault rules over IPC
// ({ inject: FaultRule }) and answers { injected: true }.
import { startFakeOpenAI, type FaultRule } from '../test/support/fake-openai/fake-openai.js';

const latencyMs = Number(process.env.FAKE_LATENCY_MS ?? 300);
const tokensPerSecond = Number(process.env.FAKE_TOKENS_PER_SECOND ?? 50);
const words = Number(process.env.FAKE_ANSWER_WORDS ?? 100);
const answer = Array.from({ length: words }, (_, i) => `w${i + 1}`).join(' ');

const fake = await startFakeOpenAI({
  latencyMs,
  tokensPerSecond,
  respond: (req) => (req.responseFormat ? undefined : { content: answer }),
});
process.on('message', (message: { inject?: FaultRule }) => {
  if (message.inject) {
    fake.inject(message.inject);
    process.send?.({ injected: true });
  }
});
process.on('SIGTERM', () => void fake.stop().then(() => process.exit(0)));
console.log(`fake listening at ${fake.url}`);
