import { describe, expect, it } from '@jest/globals';
import { qaExtractionSchema } from '../llm-task-schemas.js';
import { extractQaPairs, speakerTurns } from './qa-extraction.js';

const TRANSCRIPT = `Customer: Hi there
Agent: Hello! How can I help?
Customer: How do I reset my password? The reset link in the email does not work.
Agent: Sorry about that. Open Settings, choose Security and click "Send a new reset link".
The link is valid for 30 minutes, so use it right away.
Customer: Thanks!
Customer: Can I export my invoices as PDF files for my accountant?
Agent: Yes, go to Billing, select the invoices and press Export PDF.`;

describe('offline Q&A extraction', () => {
  it('reads speaker turns, joining continuation lines', () => {
    const turns = speakerTurns(TRANSCRIPT);
    expect(turns.map((t) => t.speaker)).toEqual([
      'Customer',
      'Agent',
      'Customer',
      'Agent',
      'Customer',
      'Customer',
      'Agent',
    ]);
    expect(turns[3].text).toContain('valid for 30 minutes');
  });

  it('pairs questions with the answers that follow, skipping greetings', () => {
    const result = qaExtractionSchema.parse(extractQaPairs({ transcript: TRANSCRIPT }));
    expect(result.examples).toHaveLength(2);
    expect(result.examples[0].question).toMatch(/^How do I reset my password\?/);
    expect(result.examples[0].answer).toMatch(/Open Settings, choose Security/);
    expect(result.examples[0].answer).toMatch(/valid for 30 minutes/);
    expect(result.examples[1].question).toMatch(/^Thanks! Can I export my invoices/);
    expect(result.examples[1].answer).toMatch(/Export PDF/);
    for (const e of result.examples) expect(e.confidence).toBeGreaterThanOrEqual(0.7);
  });

  it('works with named speakers, timestamps and role labels in brackets', () => {
    const transcript = `[10:01] Maria (Client): Does the starter plan include phone support?
[10:02] Tom (Support): The starter plan includes e-mail support; phone support comes with Pro.
[10:03] Maria (Client): ok`;
    const { examples } = extractQaPairs({ transcript });
    expect(examples).toEqual([
      {
        question: 'Does the starter plan include phone support?',
        answer: 'The starter plan includes e-mail support; phone support comes with Pro.',
        confidence: 0.7,
      },
    ]);
  });

  it('finds the asking side by its questions when nobody is labelled', () => {
    const transcript = `Kim: Where can I change the delivery address of an order?
Lee: Under Orders, open the order and choose Edit address before it ships.`;
    expect(extractQaPairs({ transcript }).examples[0].question).toMatch(/^Where can I change/);
  });

  it('keeps at most maxExamples, the most confident, in transcript order', () => {
    const { examples } = extractQaPairs({ transcript: TRANSCRIPT, maxExamples: 1 });
    expect(examples).toHaveLength(1);
  });

  it('returns no examples for text without speaker turns', () => {
    expect(extractQaPairs({ transcript: 'Just a paragraph of notes.' })).toEqual({ examples: [] });
  });
});
