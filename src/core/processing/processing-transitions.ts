import type { FindOptionsWhere, ObjectLiteral, Repository } from 'typeorm';
import type { ProcessingState } from './processing-state.embeddable.js';
import { transition, type TransitionOptions } from './processing-state.js';
import type { ProcessingStatus } from './processing-status.js';

export interface HasProcessingState extends ObjectLiteral {
  id: string | number;
  processing: ProcessingState;
}

/**
 * Moves a stored entity to `to` inside a short row-locked transaction, so two workers can never
 * both start (or both finish) the same thing. Returns the saved entity, or null when it is gone.
 * Throws IllegalTransitionError when the stored state does not allow the move.
 */
export async function transitionEntity<E extends HasProcessingState>(
  repository: Repository<E>,
  id: E['id'],
  to: ProcessingStatus,
  options: TransitionOptions = {},
): Promise<E | null> {
  return repository.manager.transaction(async (manager) => {
    const entity = await manager.findOne(repository.target, {
      where: { id } as FindOptionsWhere<E>,
      lock: { mode: 'pessimistic_write' },
    });
    if (!entity) return null;
    entity.processing = transition(entity.processing, to, options);
    return manager.save(repository.target, entity);
  });
}
