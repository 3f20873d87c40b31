import type { AnySection } from './env-spec.js';
import { SECTIONS } from './config.js';

/** Renders `.env.example` from the schema: every variable, its description and its default. */
export function renderEnvExample(): string {
  const lines = [
    '# Conveyor configuration. Every variable is optional: unset, the default shown is used.',
    '# Copy to .env (read at boot when present; variables already in the environment win).',
  ];
  for (const section of SECTIONS as readonly AnySection[]) {
    lines.push('', `# --- ${section.title} ---`);
    for (const [name, spec] of Object.entries(section.vars)) {
      lines.push(`# ${spec.doc}`, `${name}=${spec.shown}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
