import type { ModelPrice } from '../../config/env/llm.env.js';

/**
 * The price of a model from the LLM_PRICES table: an exact name, else the longest entry the name
 * starts with ("gpt-4o-mini-2024-07-18" is priced as "gpt-4o-mini").
 */
export function priceOf(
  prices: Readonly<Record<string, ModelPrice>>,
  model: string,
): ModelPrice | undefined {
  if (prices[model]) return prices[model];
  let best: string | undefined;
  for (const name of Object.keys(prices)) {
    if (model.startsWith(name) && (!best || name.length > best.length)) best = name;
  }
  return best ? prices[best] : undefined;
}

/** Estimated cost in USD, rounded to a millionth of a dollar; null when the model has no price. */
export function estimateCostUsd(
  prices: Readonly<Record<string, ModelPrice>>,
  model: string,
  promptTokens: number,
  completionTokens: number,
): number | null {
  const price = priceOf(prices, model);
  if (!price) return null;
  const usd =
    (promptTokens * price.inputPerMillion + completionTokens * price.outputPerMillion) / 1_000_000;
  return Math.round(usd * 1_000_000) / 1_000_000;
}
