import { isAbsolute, resolve } from 'node:path';
import { defineSection, env } from '../env-spec.js';

export const appEnv = defineSection(
  'app',
  'Application',
  {
    NODE_ENV: env.oneOf(
      'Runtime environment.',
      ['development', 'production', 'test'],
      'development',
    ),
    PORT: env.int('HTTP port.', 3000, { min: 0, max: 65535 }),
    HOST: env.string('Interface the HTTP server binds to.', '0.0.0.0'),
    PUBLIC_URL: env.optionalUrl(
      'Public base URL used in links (defaults to http://localhost:PORT).',
      ['http', 'https'],
    ),
    HTTP: env.bool('Serve HTTP (false: this instance only processes jobs).', true),
    WORKERS: env.bool('Run the Bull job processors in this process (false: HTTP only).', true),
    LOG_LEVEL: env.oneOf(
      'Lowest level that is logged.',
      ['debug', 'info', 'warn', 'error'],
      'info',
    ),
    LOG_FORMAT: env.oneOf(
      'json: one JSON object per line; pretty: for humans; auto: pretty on a terminal, json otherwise.',
      ['auto', 'json', 'pretty'],
      'auto',
    ),
    DATA_DIR: env.string('Where the embedded database, private Redis and files live.', './data'),
    STORAGE_DIR: env.optionalString('Where uploaded files are stored (default: DATA_DIR/files).'),
    SHUTDOWN_GRACE_MS: env.int(
      'On SIGTERM/SIGINT, how long active jobs may run before they are handed back to the queue.',
      10000,
      { min: 0, max: 120000 },
    ),
  },
  (v) => {
    const dataDir = absolute(v.DATA_DIR);
    return {
      env: v.NODE_ENV,
      port: v.PORT,
      host: v.HOST,
      publicUrl: v.PUBLIC_URL,
      http: v.HTTP,
      workers: v.WORKERS,
      log: { level: v.LOG_LEVEL, format: v.LOG_FORMAT },
      dataDir,
      storageDir: v.STORAGE_DIR ? absolute(v.STORAGE_DIR) : resolve(dataDir, 'files'),
      shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    };
  },
);

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(process.cwd(), path);
}
