import type OpenAI from 'openai';
import { z } from 'zod';
import type { LlmMessage, LlmRequest } from './llm.types.js';

type ResponseFormat = OpenAI.Chat.Completions.ChatCompletionCreateParams['response_format'];

/** JSON Schemas for response_format, computed once per zod schema. */
const jsonSchemas = new WeakMap<z.ZodType, { schema: Record<string, unknown>; strict: boolean }>();

export function jsonSchemaOf(schema: z.ZodType): {
  schema: Record<string, unknown>;
  strict: boolean;
} {
  let cached = jsonSchemas.get(schema);
  if (!cached) {
    const { $schema: _ignored, ...json } = z.toJSONSchema(schema) as Record<string, unknown>;
    cached = { schema: json, strict: isStrictCompatible(json) };
    jsonSchemas.set(schema, cached);
  }
  return cached;
}

/** OpenAI's strict mode needs every property required and no extra properties, at every level. */
export function isStrictCompatible(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(isStrictCompatible);
  if (!node || typeof node !== 'object') return true;
  const record = node as Record<string, unknown>;
  if (record.type === 'object' || record.properties) {
    const properties = Object.keys((record.properties as Record<string, unknown>) ?? {});
    const required = new Set((record.required as string[]) ?? []);
    if (record.additionalProperties !== false) return false;
    if (properties.some((p) => !required.has(p))) return false;
  }
  return Object.values(record).every(isStrictCompatible);
}

/**
 * How to ask for JSON: structured outputs with the schema (strict when the schema allows), or,
 * for older servers (LLM_JSON_MODE=json_object), JSON mode plus the schema in a system message.
 */
export function responseFormatFor(
  request: LlmRequest,
  schema: z.ZodType,
  mode: 'json_schema' | 'json_object',
  name?: string,
): { request: LlmRequest; responseFormat: ResponseFormat } {
  const json = jsonSchemaOf(schema);
  if (mode === 'json_object') {
    // JSON mode needs the word JSON in the prompt, and the schema gives it something to aim at.
    const hint: LlmMessage = {
      role: 'system',
      content: `Answer with a single JSON object matching this JSON Schema:\n${JSON.stringify(json.schema)}`,
    };
    return {
      request: { ...request, messages: [...request.messages, hint] },
      responseFormat: { type: 'json_object' },
    };
  }
  return {
    request,
    responseFormat: {
      type: 'json_schema',
      json_schema: {
        name: (name ?? `${request.task}_answer`).replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64),
        schema: json.schema,
        strict: json.strict,
      },
    },
  };
}

/** Parses an answer and validates it; the error says what is wrong, in words a model can fix. */
export function parseAgainst<S extends z.ZodType>(
  text: string,
  schema: S,
): { ok: true; value: z.infer<S> } | { ok: false; error: string } {
  let parsed: unknown;
  try {
    // Some servers wrap JSON in a Markdown fence even in JSON mode.
    parsed = JSON.parse(text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1'));
  } catch (error) {
    return { ok: false, error: `not valid JSON (${(error as Error).message})` };
  }
  const result = schema.safeParse(parsed);
  return result.success
    ? { ok: true, value: result.data as z.infer<S> }
    : { ok: false, error: z.prettifyError(result.error) };
}
