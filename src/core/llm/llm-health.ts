import type { AppConfig } from '../config/config.js';
import { redact } from '../config/env-spec.js';
import type { DependencyReport } from '../health/health.service.js';
import type { LlmGateway } from './gateway/gateway.js';

/**
 * The `llm` section of /health: the mode, and with a provider its keys (by fingerprint, never
 * the secret) and whether each is in the rotation, the limits and today's use. Down only when
 * every key was refused (an operator must fix the configuration); out of quota is "up" with
 * `quotaExhausted`, because work pauses and resumes by itself.
 */
export async function llmHealthReport(
  gateway: LlmGateway | null,
  llm: AppConfig['llm'],
): Promise<DependencyReport> {
  if (!gateway) {
    return { status: 'up', mode: 'offline', provider: 'offline rules (no API key configured)' };
  }
  const [states, today] = await Promise.all([gateway.keys.states(), gateway.limiter.today()]);
  const keys = states.map(({ lane, out }) => ({
    id: lane.id,
    label: lane.label,
    state: out?.state ?? 'active',
    ...(out ? { reason: out.message, since: out.since, until: out.until } : {}),
  }));
  const active = keys.filter((k) => k.state === 'active').length;
  const quota = keys.filter((k) => k.state === 'quota-exhausted').length;
  const report: DependencyReport = {
    status: active > 0 || quota > 0 ? 'up' : 'down',
    mode: 'openai',
    baseUrl: redact(llm.baseUrl ?? 'https://api.openai.com/v1'),
    models: llm.models,
    embeddingModel: llm.embeddingModel,
    keys,
    limits: {
      rpmPerKey: llm.rpm,
      tpmPerKey: llm.tpm,
      dailyRequestCap: llm.dailyRequestCap,
      dailyTokenCap: llm.dailyTokenCap,
    },
    today,
  };
  if (active === 0 && quota > 0) report.quotaExhausted = true;
  if (active === 0 && quota === 0) report.error = 'every API key was refused by the provider (401)';
  return report;
}
