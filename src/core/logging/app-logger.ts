import type { LoggerService } from '@nestjs/common';
import { inspect } from 'node:util';
import { logContext } from './log-context.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'pretty';

const NEST_CHATTER = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const COLOUR: Record<LogLevel, string> = { debug: '90', info: '36', warn: '33', error: '31' };

/**
 * Structured logger used by Nest and by our own code: one JSON object per line in production
 * (time, level, context, msg, and the request or job id of the async context that wrote it).
 */
export class AppLogger implements LoggerService {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly format: LogFormat = 'json',
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {}

  static formatFor(setting: 'auto' | LogFormat): LogFormat {
    if (setting !== 'auto') return setting;
    return process.stdout.isTTY ? 'pretty' : 'json';
  }

  log(message: unknown, ...rest: unknown[]): void {
    // Nest's module-by-module start-up chatter is only interesting when debugging.
    const context = rest[rest.length - 1];
    this.write(
      typeof context === 'string' && NEST_CHATTER.has(context) ? 'debug' : 'info',
      message,
      rest,
    );
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  /** Writes a line with extra structured fields (`{ ms: 12, status: 200 }`). */
  write(
    level: LogLevel,
    message: unknown,
    rest: unknown[] = [],
    fields: Record<string, unknown> = {},
  ): void {
    if (RANK[level] < RANK[this.level]) return;
    // Nest passes (message, context) or (message, stack, context); the context is always last.
    const args = [...rest];
    const context = typeof args[args.length - 1] === 'string' ? (args.pop() as string) : undefined;
    const stack = args.find((arg) => typeof arg === 'string' && arg.includes('\n    at ')) as
      string | undefined;
    const extra = args.filter((arg) => arg !== stack && arg !== undefined);
    const record: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      ...(context ? { context } : {}),
      ...logContext.current(),
      msg:
        message instanceof Error
          ? message.message
          : typeof message === 'string'
            ? message
            : inspect(message),
      ...fields,
    };
    if (message instanceof Error && message.stack) record.stack = message.stack;
    if (stack) record.stack = stack;
    if (extra.length > 0)
      record.details = extra.map((item) => (item instanceof Error ? item.message : item));
    this.out.write(this.format === 'json' ? `${safeJson(record)}\n` : this.pretty(level, record));
  }

  private pretty(level: LogLevel, record: Record<string, unknown>): string {
    const { time, level: _level, context, msg, stack, ...fields } = record;
    const tail = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : safeJson(value)}`)
      .join(' ');
    const head = `\x1b[${COLOUR[level]}m${level.toUpperCase().padEnd(5)}\x1b[0m`;
    const where = context ? ` \x1b[33m[${String(context)}]\x1b[0m` : '';
    return `${String(time).slice(11, 23)} ${head}${where} ${String(msg)}${tail ? ` \x1b[90m${tail}\x1b[0m` : ''}${stack ? `\n${String(stack)}` : ''}\n`;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify(inspect(value));
  }
}
