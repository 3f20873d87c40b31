import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildConfig, ConfigError } from './config.js';
import { renderEnvExample } from './env-example.js';

describe('buildConfig', () => {
  it('builds the embedded defaults from an empty environment', () => {
    const config = buildConfig({});
    expect(config.app.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.queue.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.llm.mode).toBe('offline');
    expect(config.app.storageDir).toBe(resolve(config.app.dataDir, 'files'));
  });

  it('names the variable and the reason for a bad value', () => {
    expect(() => buildConfig({ PORT: 'abc' })).toThrow(/PORT must be an integer, got "abc"/);
  });

  it('reports every bad variable at once', () => {
    try {
      buildConfig({ PORT: '70000', WORKERS: 'maybe', REDIS_URL: 'http://x' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toEqual([
        'PORT must be between 0 and 65535, got 70000',
        'WORKERS must be true or false, got "maybe"',
        'REDIS_URL must use redis or rediss, got "http:"',
      ]);
    }
  });

  it('does not echo a database password in its error', () => {
    expect(() => buildConfig({ DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(/DATABASE_URL/);
    expect(() => buildConfig({ DATABASE_URL: 'not a url :secret@' })).not.toThrow(/secret/);
  });

  it('switches the LLM to the provider when a key is set', () => {
    const config = buildConfig({ OPENAI_API_KEY: 'k1', OPENAI_API_KEYS: 'k2, k1' });
    expect(config.llm.mode).toBe('openai');
    expect(config.llm.apiKeys).toEqual(['k1', 'k2']);
  });
});

describe('.env.example', () => {
  it('lists every variable with its default (regenerate with npm run env:example)', () => {
    const committed = readFileSync(resolve('.env.example'), 'utf8');
    expect(committed).toBe(renderEnvExample());
  });
});
