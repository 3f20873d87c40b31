import type { QaExtraction } from '../llm-task-schemas.js';
import type { QaExtractionTaskInput } from '../llm.types.js';
import { countWords } from './text.js';

export interface SpeakerTurn {
  speaker: string;
  text: string;
}

const CUSTOMER = /^(customer|client|user|visitor|caller|guest|buyer|member|patient|q|question)$/i;
const AGENT =
  /^(agent|support|rep|representative|assistant|staff|operator|advisor|adviser|helpdesk|help desk|service|bot|a|answer|team)$/i;
// "[10:32] Anna (Customer): text", "Agent - Bob: text", "Q: text", "**User**: text"
const TURN =
  /^\s*(?:\[[^\]]{1,25}\]\s*|\(?\d{1,2}:\d{2}(?::\d{2})?\)?\s*(?:[AP]M)?\s*[-–]?\s*)?\**([\p{L}][\p{L}\p{N} .'’_-]{0,40}?)(?:\s*\(([^)]{1,30})\))?\**\s*[:：]\s*(.*)$/u;

/** Splits a transcript into speaker turns; lines without a speaker continue the previous turn. */
export function speakerTurns(transcript: string): SpeakerTurn[] {
  const turns: SpeakerTurn[] = [];
  for (const line of transcript.split(/\r?\n/)) {
    const match = TURN.exec(line);
    if (match && match[1].split(/\s+/).length <= 4) {
      turns.push({ speaker: (match[2] ?? match[1]).trim(), text: match[3].trim() });
    } else if (line.trim() && turns.length > 0) {
      turns[turns.length - 1].text += ` ${line.trim()}`;
    }
  }
  return turns.filter((turn) => turn.text.length > 0);
}

/**
 * Which speaker asks: a label that says so (Customer, User, Q), else the one who asks more
 * questions, else whoever speaks first.
 */
function customerOf(turns: SpeakerTurn[]): string | undefined {
  const speakers = [...new Set(turns.map((t) => t.speaker))];
  const labelled = speakers.find((s) => CUSTOMER.test(s));
  if (labelled) return labelled;
  const agents = speakers.filter((s) => AGENT.test(s));
  const others = speakers.filter((s) => !agents.includes(s));
  if (agents.length > 0 && others.length > 0) return others[0];
  const questions = (s: string) =>
    turns
      .filter((t) => t.speaker === s)
      .reduce((n, t) => n + (t.text.match(/\?/g)?.length ?? 0), 0);
  return [...speakers].sort((a, b) => questions(b) - questions(a))[0];
}

/**
 * Pairs each customer turn that asks something (consecutive customer turns merged) with the
 * agent's answer (consecutive agent turns merged). Greetings and one-word turns are skipped.
 * Confidence is higher for an explicit question mark and a substantial answer.
 */
export function extractQaPairs(input: QaExtractionTaskInput): QaExtraction {
  const turns = speakerTurns(input.transcript);
  const customer = customerOf(turns);
  const examples: QaExtraction['examples'] = [];
  let i = 0;
  while (i < turns.length) {
    if (turns[i].speaker !== customer) {
      i++;
      continue;
    }
    const asked: string[] = [];
    while (i < turns.length && turns[i].speaker === customer) asked.push(turns[i++].text);
    const answered: string[] = [];
    while (i < turns.length && turns[i].speaker !== customer) answered.push(turns[i++].text);
    const question = asked.join(' ').trim();
    const answer = answered.join(' ').trim();
    if (countWords(question) < 4 || countWords(answer) < 4) continue;
    let confidence = 0.5;
    if (question.includes('?')) confidence += 0.2;
    if (countWords(answer) >= 12) confidence += 0.1;
    if (/\b(don't know|do not know|not sure|no idea|can't help|cannot help)\b/i.test(answer))
      confidence -= 0.2;
    examples.push({ question, answer, confidence: Math.round(confidence * 100) / 100 });
  }
  const limit = input.maxExamples ?? Infinity;
  return {
    examples: [...examples]
      .sort((a, b) => b.confidence - a.confidence)
      .slice(0, limit)
      .sort((a, b) => examples.indexOf(a) - examples.indexOf(b)),
  };
}
