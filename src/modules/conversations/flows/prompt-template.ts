/**
 * Flow prompt templates: the system prompt of a flow, with placeholders filled per message.
 * Unknown placeholders are refused when a chatbot is saved, so a typo never reaches the model.
 */
export const PROMPT_PLACEHOLDERS = [
  'chatbot_name',
  'language',
  'flow',
  'examples',
  'previous_output',
  'image',
] as const;

export type PromptPlaceholder = (typeof PROMPT_PLACEHOLDERS)[number];

export const DEFAULT_PROMPT_TEMPLATE =
  'You are {{chatbot_name}}, a helpful support assistant. Answer in {{language}}, briefly and ' +
  'only from what you know for certain.\n\nExamples from the knowledge base:\n{{examples}}';

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

/** Placeholders in the template that are not in PROMPT_PLACEHOLDERS. */
export function unknownPlaceholders(template: string): string[] {
  const unknown = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!(PROMPT_PLACEHOLDERS as readonly string[]).includes(match[1])) unknown.add(match[1]);
  }
  return [...unknown];
}

export function renderPrompt(
  template: string,
  values: Partial<Record<PromptPlaceholder, string>>,
): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) =>
    name in values ? (values[name as PromptPlaceholder] ?? '') : '',
  );
}

/** Retrieved examples as numbered Q/A pairs, the way the prompt cites them ([1], [2], ...). */
export function formatExamples(examples: { question: string; answer: string }[]): string {
  if (examples.length === 0) return '(none found)';
  return examples
    .map((example, i) => `[${i + 1}] Q: ${example.question}\n    A: ${example.answer}`)
    .join('\n');
}
