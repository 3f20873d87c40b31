import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while serving a request or running a job should carry. */
export interface LogContext {
  requestId?: string;
  jobId?: string;
  queue?: string;
  job?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

export const logContext = {
  run<T>(context: LogContext, fn: () => T): T {
    return storage.run({ ...storage.getStore(), ...context }, fn);
  },
  current(): LogContext | undefined {
    return storage.getStore();
  },
};
