import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import { LlmError, QuotaExhaustedError } from '../../core/llm/llm.errors.js';
import { LlmService } from '../../core/llm/llm.service.js';
import { transitionEntity } from '../../core/processing/processing-transitions.js';
import {
  IllegalTransitionError,
  ProcessingStatus,
} from '../../core/processing/processing-status.js';
import type { RunningJob } from '../../core/queue/job-catalogue.js';
import { InjectJobQueue } from '../../core/queue/inject-job-queue.decorator.js';
import type { JobQueue } from '../../core/queue/job-queue.js';
import { ReconcilerService } from '../../core/queue/reconciler.service.js';
import type { FeedmeConversation } from './entities/feedme-conversation.entity.js';
import { QaExtractor, type ExtractedExample } from './extraction/qa-extractor.js';
import { FeedmeConversationsRepository } from './feedme-conversations.repository.js';
import {
  FeedmeExamplesRepository,
  type ExampleSource,
  type NewExample,
} from './feedme-examples.repository.js';
import { FEEDME_ATTEMPTS, FEEDME_QUEUE, feedmeJobIds, type FeedmeJobs } from './feedme.jobs.js';

/** Cosine similarity of two unit vectors (the gateway's embeddings are L2-normalised). */
function similarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}

/**
 * One transcript run: extract Q&A pairs through the gateway (overlapping chunks), embed their
 * questions in batches of FEEDME_EMBEDDING_BATCH_SIZE, merge near-duplicates, store each batch in
 * one transaction, complete. Postgres is the ledger: the job carries only (id, generation), a run
 * starts by clearing what an interrupted run of the same conversation left, and the reconciler
 * re-enqueues every conversation that is processing without a live job.
 */
@Injectable()
export class FeedmePipeline implements OnModuleInit {
  private readonly logger = new Logger('FeedMe');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly conversations: FeedmeConversationsRepository,
    private readonly examples: FeedmeExamplesRepository,
    private readonly extractor: QaExtractor,
    private readonly llm: LlmService,
    private readonly reconciler: ReconcilerService,
    @InjectJobQueue(FEEDME_QUEUE) private readonly jobs: JobQueue<FeedmeJobs>,
  ) {}

  onModuleInit(): void {
    this.reconciler.register('feedme', () => this.reconcile());
  }

  async enqueue(conversation: Pick<FeedmeConversation, 'id' | 'generation'>): Promise<void> {
    await this.jobs.add(
      'process',
      { conversationId: conversation.id, generation: conversation.generation },
      { jobId: feedmeJobIds.process(conversation.id, conversation.generation) },
    );
  }

  private async reconcile(): Promise<number> {
    let enqueued = 0;
    for (const c of await this.conversations.findInProgress()) {
      const added = await this.jobs.ensureQueued(
        'process',
        { conversationId: c.id, generation: c.generation },
        feedmeJobIds.process(c.id, c.generation),
      );
      if (added) enqueued++;
    }
    return enqueued;
  }

  async process(job: RunningJob<FeedmeJobs['process']>): Promise<string> {
    const { conversationId, generation } = job.data;
    let conversation = await this.conversations.findById(conversationId);
    if (!conversation || conversation.generation !== generation)
      return 'stale: the conversation changed';
    if (conversation.processing.status === ProcessingStatus.Pending) {
      try {
        conversation = await transitionEntity(
          this.conversations.entities,
          conversationId,
          ProcessingStatus.Processing,
          { step: 'extracting' },
        );
      } catch (error) {
        if (error instanceof IllegalTransitionError) return 'already moved on';
        throw error;
      }
      if (!conversation) return 'deleted';
    }
    if (conversation.processing.status !== ProcessingStatus.Processing)
      return `conversation is ${conversation.processing.status}`;

    // Whatever an interrupted run of this conversation stored is redone from scratch.
    await this.examples.deleteForConversation(conversationId);
    try {
      await this.progress(conversation, 'extracting', 0, null);
      const { examples } = await this.extractor.extract({
        conversationId,
        ownerId: conversation.ownerId,
        title: conversation.title,
        transcript: conversation.transcript,
        sourceTags: conversation.sourceTags,
        signal: job.signal,
        onChunk: (done, total) => this.progress(conversation!, 'extracting', done, total),
      });
      if (!(await this.stillCurrent(conversationId, generation)))
        return 'stale: reprocessed or deleted';
      const stored = await this.store(conversation, examples, job.signal);
      if (!(await this.stillCurrent(conversationId, generation)))
        return 'stale: reprocessed or deleted';
      await this.conversations.entities.update(
        { id: conversationId, generation },
        { examplesExtracted: stored.inserted, examplesMerged: stored.merged },
      );
      await transitionEntity(
        this.conversations.entities,
        conversationId,
        ProcessingStatus.Completed,
      );
      return `${stored.inserted} examples, ${stored.merged} merged`;
    } catch (error) {
      if (job.signal.aborted) throw error;
      const retryable =
        error instanceof LlmError ? error.retryable : !(error instanceof QuotaExhaustedError);
      if (retryable && job.attemptsMade + 1 < FEEDME_ATTEMPTS) throw error;
      await this.examples.deleteForConversation(conversationId);
      await this.fail(conversationId, generation, this.reason(error));
      return 'failed';
    }
  }

  /**
   * Embeds the questions batch by batch; an example at least FEEDME_DUPLICATE_THRESHOLD similar to
   * a stored one (or to an earlier one of this batch) is merged into it instead of stored again.
   */
  private async store(
    conversation: FeedmeConversation,
    examples: ExtractedExample[],
    signal: AbortSignal,
  ): Promise<{ inserted: number; merged: number }> {
    const { embeddingBatchSize, duplicateThreshold } = this.config.feedme;
    let inserted = 0;
    let merged = 0;
    let position = 0;
    for (let start = 0; start < examples.length; start += embeddingBatchSize) {
      const batch = examples.slice(start, start + embeddingBatchSize);
      const embedded = await this.llm.embed(
        batch.map((e) => e.question),
        {
          ownerId: conversation.ownerId,
          ref: { kind: 'feedme-conversation', id: conversation.id },
          signal,
        },
      );
      const matches = await this.examples.nearestDuplicates(
        conversation.ownerId,
        embedded.vectors,
        duplicateThreshold,
      );
      const rows: NewExample[] = [];
      const sources: ExampleSource[] = [];
      batch.forEach((example, i) => {
        const vector = embedded.vectors[i];
        const match = matches[i];
        const twinInBatch = rows.some(
          (row) => similarity(row.embedding, vector) >= duplicateThreshold,
        );
        if (match || twinInBatch) {
          merged++;
          if (match)
            sources.push({
              exampleId: match.exampleId,
              conversationId: conversation.id,
              similarity: match.similarity,
              question: example.question,
            });
          return;
        }
        rows.push({
          ...example,
          conversationId: conversation.id,
          ownerId: conversation.ownerId,
          generation: conversation.generation,
          position: position++,
          embedding: vector,
          embeddingModel: embedded.model,
        });
      });
      inserted += (await this.examples.insertBatch(rows)).length;
      await this.examples.recordSources(sources);
      await this.progress(
        conversation,
        'embedding',
        Math.min(start + batch.length, examples.length),
        examples.length,
      );
    }
    return { inserted, merged };
  }

  private async progress(
    conversation: FeedmeConversation,
    step: string,
    done: number,
    total: number | null,
  ): Promise<void> {
    await this.conversations.entities.update(
      { id: conversation.id, generation: conversation.generation },
      { processing: { step, progressDone: done, progressTotal: total } },
    );
  }

  private async stillCurrent(id: string, generation: number): Promise<boolean> {
    const current = await this.conversations.findById(id);
    return (
      !!current &&
      current.generation === generation &&
      current.processing.status === ProcessingStatus.Processing
    );
  }

  private async fail(id: string, generation: number, reason: string): Promise<void> {
    if (!(await this.stillCurrent(id, generation))) return;
    try {
      await transitionEntity(this.conversations.entities, id, ProcessingStatus.Failed, {
        error: reason,
      });
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
    }
    this.logger.warn(`conversation ${id} failed: ${reason}`);
  }

  private reason(error: unknown): string {
    if (error instanceof QuotaExhaustedError)
      return `The language model's quota is exhausted (${error.message}); reprocess the transcript later.`;
    return error instanceof Error ? error.message : String(error);
  }
}
