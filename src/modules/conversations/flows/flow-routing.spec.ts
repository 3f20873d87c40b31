import { describe, expect, it, jest } from '@jest/globals';
import type { LlmService } from '../../../core/llm/llm.service.js';
import type { FlowTemplateAssignment } from '../entities/flow-template-assignment.entity.js';
import { keywordMatches } from './flow-rules.js';
import { FlowRoutingService, type RoutingInput } from './flow-routing.service.js';

function flow(
  flowKey: string,
  patch: Partial<FlowTemplateAssignment> = {},
): FlowTemplateAssignment {
  return {
    id: flowKey,
    chatbotId: 'bot',
    flowKey,
    position: 0,
    description: null,
    promptTemplate: 'x',
    topK: 5,
    minScore: null,
    model: null,
    apiKey: null,
    keywords: [],
    execution: 'parallel',
    alwaysRun: false,
    vision: false,
    knowledgeBaseIds: null,
    ...patch,
  };
}

const flows = [
  flow('main', { position: 0 }),
  flow('billing', { position: 1, keywords: ['invoice', 'refund'] }),
  flow('eyes', { position: 2, vision: true }),
  flow('summary', { position: 3, alwaysRun: true, execution: 'sequential' }),
];
const input = (message: string, extra: Partial<RoutingInput> = {}): RoutingInput => ({
  message,
  flows,
  defaultFlow: 'main',
  hasImage: false,
  ...extra,
});

describe('keywordMatches', () => {
  it('matches whole words and phrases, ignoring case and accents', () => {
    expect(keywordMatches('Where is my INVOICE?', ['invoice'])).toEqual(['invoice']);
    expect(keywordMatches('invoices', ['invoice'])).toEqual([]);
    expect(keywordMatches('Prøv café-menuen', ['cafe menuen'])).toEqual(['cafe menuen']);
    expect(keywordMatches('anything', ['', '  '])).toEqual([]);
  });
});

describe('FlowRoutingService', () => {
  const completeJson = jest.fn<LlmService['completeJson']>();
  const routing = new FlowRoutingService({ completeJson } as unknown as LlmService);

  it('follows the flow the request names, then images, then keywords; always_run flows join', () => {
    expect(routing.routeByRules(input('hello', { requested: 'billing' }))).toEqual({
      flows: ['billing', 'summary'],
      primary: 'billing',
      routedBy: 'request',
    });
    expect(routing.routeByRules(input('what is this', { hasImage: true }))?.flows).toEqual([
      'eyes',
      'summary',
    ]);
    expect(routing.routeByRules(input('I want a refund'))).toEqual({
      flows: ['billing', 'summary'],
      primary: 'billing',
      routedBy: 'rules',
    });
  });

  it('leaves the choice to the model when several text flows remain', () => {
    expect(routing.routeByRules(input('hello there'))).toBeNull();
  });

  it('takes the only text flow without asking', () => {
    const single = [flow('main'), flow('summary', { alwaysRun: true })];
    expect(routing.routeByRules({ ...input('hello'), flows: single })).toEqual({
      flows: ['main', 'summary'],
      primary: 'main',
      routedBy: 'default',
    });
  });

  it("uses the model's choice, and the default flow when the model names none of the flows or fails", async () => {
    const ref = { ownerId: 'u', ref: { kind: 'k', id: 'i' } };
    completeJson.mockResolvedValueOnce({ value: { flow: 'billing', confidence: 0.8 } } as never);
    await expect(routing.routeByModel(input('hello'), ref)).resolves.toMatchObject({
      flows: ['billing', 'summary'],
      routedBy: 'model',
    });
    completeJson.mockResolvedValueOnce({ value: { flow: 'eyes', confidence: 0.8 } } as never);
    await expect(routing.routeByModel(input('hello'), ref)).resolves.toMatchObject({
      primary: 'main',
      routedBy: 'default',
    });
    completeJson.mockRejectedValueOnce(new Error('down'));
    await expect(routing.routeByModel(input('hello'), ref)).resolves.toMatchObject({
      primary: 'main',
      routedBy: 'default',
    });
  });
});
