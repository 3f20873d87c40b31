import type { QualityReason } from '../entities/feedme-example.entity.js';

const HEDGES =
  /\b(don'?t know|do not know|not sure|no idea|can'?t help|cannot help|maybe|i guess|i think so)\b/i;
const ACTIONS =
  /\b(go to|click|open|select|choose|enter|press|tap|set|use|run|install|update|contact|email|call|visit|navigate|enable|disable|reset|restart|sign in|log in)\b/i;
const QUESTION_START =
  /^(how|what|why|when|where|who|which|can|could|do|does|did|is|are|will|would|should|may|i need|i want|i can'?t|i cannot|my\b|help)/i;
const FILLER =
  /^(thanks?|thank you|ok(ay)?|great|cool|bye|you'?re welcome|no problem|sure)\b[.! ]*$/i;

const wordsIn = (text: string) => text.split(/\s+/).filter(Boolean).length;

/**
 * The quality of a pair, 0..1, with its reasons: the extractor's confidence, adjusted by what makes
 * a pair useful to answer someone else later (a real question, a substantial, specific answer
 * without hedging). Deterministic, so the same pair always scores the same.
 */
export function scoreExample(
  question: string,
  answer: string,
  confidence: number,
): { score: number; reasons: QualityReason[] } {
  const reasons: QualityReason[] = [
    {
      code: 'extractor_confidence',
      effect: Math.round(confidence * 0.6 * 100) / 100,
      detail: `the extractor was ${Math.round(confidence * 100)}% confident (weight 0.6)`,
    },
  ];
  const add = (code: string, effect: number, detail: string) =>
    reasons.push({ code, effect, detail });
  if (question.includes('?') || QUESTION_START.test(question.trim()))
    add('clear_question', 0.15, 'the customer asks a question');
  else add('no_question', -0.05, 'the customer turn does not read as a question');
  const answerWords = wordsIn(answer);
  if (answerWords >= 8) add('substantial_answer', 0.15, `the answer has ${answerWords} words`);
  else if (answerWords < 5) add('short_answer', -0.15, `the answer has only ${answerWords} words`);
  if (ACTIONS.test(answer)) add('actionable', 0.1, 'the answer says what to do');
  if (HEDGES.test(answer)) add('hedging', -0.25, 'the answer hedges or admits not knowing');
  if (FILLER.test(answer.trim())) add('filler', -0.3, 'the answer is a pleasantry');
  if (wordsIn(question) > 120) add('long_question', -0.05, 'the question is very long');
  const score = reasons.reduce((sum, r) => sum + r.effect, 0);
  return { score: Math.round(Math.min(1, Math.max(0, score)) * 1000) / 1000, reasons };
}
