import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isInvalidValue, type AnySection } from './env-spec.js';
import { appEnv } from './env/app.env.js';
import { authEnv } from './env/auth.env.js';
import { databaseEnv } from './env/database.env.js';
import { filesEnv } from './env/files.env.js';
import { llmEnv } from './env/llm.env.js';
import { queueEnv } from './env/queue.env.js';
import { uploadsEnv } from '../../modules/uploads/uploads.env.js';
import { feedmeEnv } from '../../modules/feedme/feedme.env.js';
import { conversationsEnv } from '../../modules/conversations/conversations.env.js';

/** Every configuration section, in the order `.env.example` lists them. */
export const SECTIONS = [
  appEnv,
  databaseEnv,
  queueEnv,
  filesEnv,
  llmEnv,
  authEnv,
  uploadsEnv,
  feedmeEnv,
  conversationsEnv,
] as const;

type SectionList = typeof SECTIONS;
type ConfigOf<S> = S extends { name: infer N extends string; build: (vars: never) => infer C }
  ? { [K in N]: C }
  : never;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (
  u: infer I,
) => void
  ? I
  : never;

/** The one typed, validated configuration object, built once at boot. */
export type AppConfig = UnionToIntersection<ConfigOf<SectionList[number]>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/**
 * Builds the configuration from an environment map. Every bad variable is reported at once, each
 * naming the variable and the reason, so an operator fixes them in one go.
 */
export function buildConfig(source: Env): AppConfig {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const section of SECTIONS as readonly AnySection[]) {
    const values: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(section.vars)) {
      try {
        values[name] = spec.parse(source[name]);
      } catch (error) {
        if (!isInvalidValue(error)) throw error;
        problems.push(`${name} ${error.message}`);
      }
    }
    if (problems.length > 0) continue;
    try {
      config[section.name] = section.build(values as never);
    } catch (error) {
      // A rule across variables (e.g. LLM_MODE=openai needs a key): the message names them.
      if (!isInvalidValue(error)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config as AppConfig;
}

/**
 * Reads `.env` from the working directory when present (variables already set win), then builds
 * the configuration from the process environment. The only place that touches process.env.
 */
export function loadConfig(envFile = resolve(process.cwd(), '.env')): AppConfig {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return buildConfig(process.env);
}

/** A copy of the process environment, for launching child processes with the same settings. */
export function processEnv(): Env {
  return { ...process.env };
}
