import { SetMetadata } from '@nestjs/common';
import type { JobHandlerFn, JobPayloads, QueueCatalogue } from './job-catalogue.js';

export const QUEUE_PROCESSOR = Symbol('conveyor:queue-processor');
const JOB_HANDLERS = Symbol('conveyor:job-handlers');

export interface HandlerBinding {
  queue: string;
  job: string;
  method: string | symbol;
}

/** Marks a provider whose methods handle jobs (see @JobHandler). */
export const QueueProcessor = (): ClassDecorator => SetMetadata(QUEUE_PROCESSOR, true);

/**
 * Binds a method to one job of a catalogue. The method's parameter type must match the payload
 * type the catalogue declares, or the code does not compile.
 */
export function JobHandler<J extends JobPayloads<J>, K extends keyof J & string>(
  catalogue: QueueCatalogue<J>,
  job: K,
) {
  return (
    target: object,
    method: string | symbol,
    // Only `value` is typed: the handler must accept this job's payload (checked at compile time).
    _descriptor: { value?: JobHandlerFn<J[K]> },
  ): void => {
    const bindings: HandlerBinding[] = Reflect.getMetadata(JOB_HANDLERS, target.constructor) ?? [];
    Reflect.defineMetadata(
      JOB_HANDLERS,
      [...bindings, { queue: catalogue.name, job, method }],
      target.constructor,
    );
  };
}

export function handlerBindings(type: object): HandlerBinding[] {
  return Reflect.getMetadata(JOB_HANDLERS, type) ?? [];
}
