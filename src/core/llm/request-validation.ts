import { LLM_TASKS, type LlmAccounting, type LlmRequest } from './llm.types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What is wrong with the accounting fields, or undefined (a bad owner id would fail the batch insert). */
export function accountingProblem(accounting: LlmAccounting): string | undefined {
  if (accounting.ownerId != null && !UUID.test(accounting.ownerId)) {
    return `ownerId must be a uuid, got "${String(accounting.ownerId).slice(0, 60)}"`;
  }
  if (accounting.ref && (!accounting.ref.kind || !accounting.ref.id)) {
    return 'ref needs a kind and an id';
  }
  if (accounting.ref?.parent && (!accounting.ref.parent.kind || !accounting.ref.parent.id)) {
    return 'ref.parent needs a kind and an id';
  }
  return undefined;
}

/** What is wrong with a request, or undefined. Checked before anything is sent. */
export function requestProblem(request: LlmRequest): string | undefined {
  if (!request || typeof request !== 'object') return 'no request';
  const { task, input } = request as { task: string; input?: unknown };
  if (!LLM_TASKS.includes(task as LlmRequest['task'])) {
    return `task must be one of ${LLM_TASKS.join(', ')}, got "${String(task)}"`;
  }
  if (task !== 'generic' && (input === undefined || input === null)) {
    return `the "${task}" task needs its input (the offline provider reads it)`;
  }
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    return 'messages must be a non-empty array';
  }
  const bad = request.messages.findIndex(
    (m) => !m || !['system', 'user', 'assistant'].includes(m.role) || typeof m.content !== 'string',
  );
  if (bad >= 0) return `messages[${bad}] needs a role (system, user, assistant) and string content`;
  const { maxTokens, temperature } = request;
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    return `maxTokens must be a positive integer, got ${maxTokens}`;
  }
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) {
    return `temperature must be between 0 and 2, got ${temperature}`;
  }
  return accountingProblem(request);
}
