import {
  BadRequestException,
  ConflictException,
  Inject,
  Injectable,
  Logger,
  PayloadTooLargeException,
  UnprocessableEntityException,
  type OnModuleInit,
} from '@nestjs/common';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { notFound, type Owner } from '../../core/auth/owner-scope.js';
import { APP_CONFIG } from '../../core/config/config.module.js';
import type { AppConfig } from '../../core/config/config.js';
import { StoredFilesRepository, type StoredUpload } from '../../core/files/index.js';
import { LlmService } from '../../core/llm/llm.service.js';
import { initialState, transition } from '../../core/processing/processing-state.js';
import { ProcessingStatus, canTransition } from '../../core/processing/processing-status.js';
import { WebRegistry } from '../../core/web/web-registry.js';
import type {
  FeedmeConversationDetailResponseDto,
  FeedmeConversationListResponseDto,
  FeedmeConversationResponseDto,
  FeedmeDiffResponseDto,
  FeedmeExampleResponseDto,
  FeedmeExampleUpdateDto,
  FeedmeSearchDto,
  FeedmeSearchResponseDto,
  FeedmeStatusResponseDto,
  FeedmeUploadResponseDto,
  FeedmeVersionResponseDto,
} from './dto/feedme.dto.js';
import type { FeedmeConversation } from './entities/feedme-conversation.entity.js';
import type { FeedmeExampleVersion } from './entities/feedme-example-version.entity.js';
import type { FeedmeExample, ReviewStatus } from './entities/feedme-example.entity.js';
import { normaliseTags } from './extraction/example-tags.js';
import { FeedmeConversationsRepository } from './feedme-conversations.repository.js';
import {
  FeedmeExamplesRepository,
  type ExampleContent,
  type ExampleFields,
} from './feedme-examples.repository.js';
import { FeedmePipeline } from './feedme-pipeline.service.js';
import { FeedmeSearchService } from './feedme-search.service.js';
import { TranscriptReader } from './transcripts/transcript-reader.js';
import { TranscriptError } from './transcripts/transcript-format.js';
import { diffWords } from './versioning/text-diff.js';

const CONTENT_FIELDS = ['question', 'answer', 'context', 'tags'] as const;

export interface UploadOptions {
  title: string;
  autoProcess: boolean;
}

/** FeedMe's API side: upload, status, conversations, examples, versions, search. */
@Injectable()
export class FeedmeService implements OnModuleInit {
  private readonly logger = new Logger('FeedMe');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly conversations: FeedmeConversationsRepository,
    private readonly examples: FeedmeExamplesRepository,
    private readonly pipeline: FeedmePipeline,
    private readonly searcher: FeedmeSearchService,
    private readonly reader: TranscriptReader,
    private readonly llm: LlmService,
    private readonly storedFiles: StoredFilesRepository,
    private readonly web: WebRegistry,
  ) {}

  onModuleInit(): void {
    this.web.addNav({ label: 'FeedMe', href: '/feedme', order: 50 });
    this.web.addRecentWork('feedme', async (limit, ownerId) => {
      if (!ownerId) return [];
      const list = await this.conversations.listPage({ id: ownerId }, limit, 0);
      return list.map((c) => ({
        module: 'FeedMe',
        title: c.title,
        status: c.processing.status,
        href: `/feedme/conversations/${c.id}`,
        updatedAt: c.processing.completedAt ?? c.processing.startedAt ?? c.createdAt,
        detail: `${c.examplesExtracted} examples · ${c.sourceFormat}`,
      }));
    });
  }

  /**
   * Reads the transcript at once (a file FeedMe cannot read is a 422 and nothing is kept), stores
   * it, and in async mode queues its processing: 202 with status processing. In sync mode (or with
   * auto_process=false) it stays pending: 200.
   */
  async upload(
    user: AuthUser,
    file: StoredUpload,
    options: UploadOptions,
  ): Promise<FeedmeUploadResponseDto> {
    const settings = this.config.feedme;
    if (file.file.sizeBytes > settings.maxFileBytes)
      throw new PayloadTooLargeException(
        `transcript_file is ${(file.file.sizeBytes / 1048576).toFixed(1)} MB; FEEDME_MAX_FILE_SIZE_MB allows ${settings.maxFileBytes / 1048576} MB.`,
      );
    let read;
    try {
      read = await this.reader.read(file);
    } catch (error) {
      if (error instanceof TranscriptError)
        throw new UnprocessableEntityException(`transcript_file: ${error.message}`);
      throw error;
    }
    const mode = settings.asyncProcessing ? 'async' : 'sync';
    const start = settings.asyncProcessing && options.autoProcess;
    const conversation = await this.conversations.insertOwned(user, {
      title: options.title.trim(),
      fileId: file.file.id,
      originalFilename: file.file.originalName,
      fileSize: file.file.sizeBytes,
      sourceFormat: read.format,
      transcript: read.transcript,
      transcriptHtml: read.html,
      turnCount: read.turnCount,
      sourceTags: read.tags,
      autoProcess: options.autoProcess,
      processingMode: mode,
      processing: start
        ? transition(initialState(), ProcessingStatus.Processing, { step: 'queued' })
        : initialState(),
    });
    if (start) await this.startProcessing(conversation);
    return {
      id: conversation.id,
      status: start ? 202 : 200,
      processing_status: conversation.processing.status,
      message: start
        ? 'Transcript uploaded successfully. Processing started in background.'
        : settings.asyncProcessing
          ? 'Transcript uploaded successfully. auto_process is off: start processing with POST /api/v1/feedme/conversations/{id}/reprocess.'
          : 'Transcript uploaded successfully. Processing is synchronous (FEEDME_ASYNC_PROCESSING=false): the transcript is pending until POST /api/v1/feedme/conversations/{id}/reprocess.',
      processing_mode: mode,
      title: conversation.title,
      source_format: conversation.sourceFormat,
      status_url: `/api/v1/feedme/conversations/${conversation.id}/status`,
    };
  }

  async status(id: string, owner: Owner): Promise<FeedmeStatusResponseDto> {
    return this.toStatus(await this.conversations.getOwned(id, owner));
  }

  async list(
    owner: Owner,
    limit = 50,
    offset = 0,
    status?: ProcessingStatus,
  ): Promise<FeedmeConversationListResponseDto> {
    const [rows, total] = await Promise.all([
      this.conversations.listPage(owner, limit, offset, status),
      this.conversations.countPage(owner, status),
    ]);
    return { conversations: rows.map((c) => this.toConversation(c)), total };
  }

  async get(id: string, owner: Owner): Promise<FeedmeConversationDetailResponseDto> {
    const conversation = await this.conversations.getOwned(id, owner);
    return {
      ...this.toConversation(conversation),
      transcript: conversation.transcript,
      examples: await this.examplesOf(conversation.id),
    };
  }

  /** For pages: the sanitised HTML of an HTML upload (null otherwise). */
  async transcriptHtml(id: string, owner: Owner): Promise<string | null> {
    return (await this.conversations.getOwned(id, owner)).transcriptHtml;
  }

  async listExamples(id: string, owner: Owner): Promise<FeedmeExampleResponseDto[]> {
    const conversation = await this.conversations.getOwned(id, owner);
    return this.examplesOf(conversation.id);
  }

  /** Processes the transcript again from the start (also how a pending one is started). */
  async reprocess(id: string, owner: Owner): Promise<FeedmeStatusResponseDto> {
    const conversation = await this.conversations.getOwned(id, owner);
    const status = conversation.processing.status;
    if (status === ProcessingStatus.Processing)
      throw new ConflictException(
        'The transcript is being processed; reprocess it once it has finished.',
      );
    let state = conversation.processing;
    if (status !== ProcessingStatus.Pending) {
      if (!canTransition(status, ProcessingStatus.Pending))
        throw new ConflictException(`The transcript is ${status}; it cannot be reprocessed now.`);
      state = transition(state, ProcessingStatus.Pending);
    }
    state = transition(state, ProcessingStatus.Processing, { step: 'queued' });
    const next = await this.conversations.entities.save({
      ...conversation,
      generation: conversation.generation + 1,
      examplesExtracted: 0,
      examplesMerged: 0,
      processing: state,
    });
    await this.startProcessing(next);
    return this.toStatus(next);
  }

  /** Deletes the transcript, its examples (with their versions) and its stored file. */
  async delete(id: string, owner: Owner): Promise<void> {
    const conversation = await this.conversations.getOwned(id, owner);
    await this.conversations.deleteOwned(conversation.id, owner);
    if (conversation.fileId) {
      const file = await this.storedFiles.findById(conversation.fileId);
      if (file) {
        await this.storedFiles.deleteByIds([file.id]);
        await rm(join(this.config.app.storageDir, file.storagePath), { force: true });
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // examples, versions, review
  // -------------------------------------------------------------------------------------------

  async getExample(id: string, owner: Owner): Promise<FeedmeExampleResponseDto> {
    const example = await this.examples.getOwned(id, owner);
    const counts = await this.examples.sourceCounts([example.id]);
    return this.toExample(example, counts.get(example.id) ?? 1);
  }

  /** An edit is a new version (who, when, which fields); the example is embedded again. */
  async editExample(
    id: string,
    user: AuthUser,
    patch: FeedmeExampleUpdateDto,
  ): Promise<FeedmeExampleResponseDto> {
    const example = await this.examples.getOwned(id, user);
    if (patch.expected_version !== undefined && patch.expected_version !== example.version)
      throw new ConflictException(
        `The example is at version ${example.version}, not ${patch.expected_version}: someone changed it; reload and edit again.`,
      );
    // Browsers send textarea line breaks as CRLF: stored text uses LF, so a save is not an edit.
    const lf = (value: string | undefined) => value?.replace(/\r\n?/g, '\n');
    const content: ExampleContent = {
      question: lf(patch.question) ?? example.question,
      answer: lf(patch.answer) ?? example.answer,
      context: lf(patch.context) ?? example.context,
      tags: patch.tags ? normaliseTags(patch.tags) : example.tags,
    };
    if (!content.question.trim() || content.question.length > 4000)
      throw new BadRequestException('question must be 1 to 4000 characters');
    if (!content.answer.trim() || content.answer.length > 20000)
      throw new BadRequestException('answer must be 1 to 20000 characters');
    if (content.context.length > 4000)
      throw new BadRequestException('context must be at most 4000 characters');
    if (content.tags.length > 20) throw new BadRequestException('tags must be at most 20');
    const changed = changedFields(example, content);
    if (changed.length === 0) return this.getExample(id, user);
    return this.writeVersion(example, user, content, {
      kind: 'edit',
      changedFields: changed,
      note: patch.change_note ?? null,
      rolledBackTo: null,
    });
  }

  /** Makes an earlier version's content current again, as a new version (history is never lost). */
  async rollback(
    id: string,
    user: AuthUser,
    version: number,
    note?: string,
  ): Promise<FeedmeExampleResponseDto> {
    const example = await this.examples.getOwned(id, user);
    const target = await this.examples.findVersion(example.id, version);
    if (!target) throw notFound(`Version ${version}`);
    if (version === example.version)
      throw new ConflictException(`Version ${version} is already the current version.`);
    const content: ExampleContent = {
      question: target.question,
      answer: target.answer,
      context: target.context,
      tags: target.tags,
    };
    return this.writeVersion(example, user, content, {
      kind: 'rollback',
      changedFields: changedFields(example, content),
      note: note ?? null,
      rolledBackTo: version,
    });
  }

  async review(id: string, owner: Owner, status: ReviewStatus): Promise<FeedmeExampleResponseDto> {
    const example = await this.examples.getOwned(id, owner);
    await this.examples.updateOwned(example.id, owner, { reviewStatus: status });
    return this.getExample(id, owner);
  }

  async versions(id: string, user: AuthUser): Promise<FeedmeVersionResponseDto[]> {
    const example = await this.examples.getOwned(id, user);
    return (await this.examples.listVersions(example.id)).map((v) => this.toVersion(v, user));
  }

  async diff(id: string, owner: Owner, from?: number, to?: number): Promise<FeedmeDiffResponseDto> {
    const example = await this.examples.getOwned(id, owner);
    const toVersion = to ?? example.version;
    const fromVersion = from ?? Math.max(1, toVersion - 1);
    const [a, b] = await Promise.all([
      this.examples.findVersion(example.id, fromVersion),
      this.examples.findVersion(example.id, toVersion),
    ]);
    if (!a) throw notFound(`Version ${fromVersion}`);
    if (!b) throw notFound(`Version ${toVersion}`);
    return {
      from: fromVersion,
      to: toVersion,
      fields: CONTENT_FIELDS.map((field) => {
        const before = field === 'tags' ? a.tags.join(', ') : a[field];
        const after = field === 'tags' ? b.tags.join(', ') : b[field];
        return { field, changed: before !== after, parts: diffWords(before, after) };
      }),
    };
  }

  // -------------------------------------------------------------------------------------------
  // search
  // -------------------------------------------------------------------------------------------

  async search(owner: Owner, body: FeedmeSearchDto): Promise<FeedmeSearchResponseDto> {
    const threshold = body.threshold ?? this.config.feedme.similarityThreshold;
    const hits = await this.searcher.searchExamples(owner, {
      query: body.query,
      topK: body.top_k ?? 5,
      threshold,
      tags: body.tags ? normaliseTags(body.tags) : undefined,
      conversationIds: body.conversation_ids,
      includeLowQuality: body.include_low_quality ?? false,
    });
    return {
      query: body.query,
      threshold,
      results: hits.map((hit) => ({
        ...this.toExample(hit, hit.sourceCount),
        // This search counted too.
        usage_count: hit.usageCount + 1,
        last_used_at: new Date(),
        score: hit.score,
        semantic_score: Math.round(hit.semantic * 10000) / 10000,
        keyword_score: Math.round(hit.keyword * 10000) / 10000,
        conversation: { id: hit.conversationId, title: hit.conversationTitle },
      })),
    };
  }

  // -------------------------------------------------------------------------------------------

  private async writeVersion(
    example: FeedmeExample,
    user: AuthUser,
    content: ExampleContent,
    change: {
      kind: 'edit' | 'rollback';
      changedFields: string[];
      note: string | null;
      rolledBackTo: number | null;
    },
  ): Promise<FeedmeExampleResponseDto> {
    // Embedded before the transaction: no transaction is held open across a network call.
    const embedded = await this.llm.embed([content.question], {
      ownerId: user.id,
      ref: { kind: 'feedme-example', id: example.id },
    });
    const written = await this.examples.writeVersion(example, content, {
      ...change,
      by: user.id,
      embedding: embedded.vectors[0],
      embeddingModel: embedded.model,
    });
    if (written === null)
      throw new ConflictException(
        'The example changed while you were editing it; reload and edit again.',
      );
    return this.getExample(example.id, user);
  }

  private async examplesOf(conversationId: string): Promise<FeedmeExampleResponseDto[]> {
    const rows = await this.examples.listForConversation(conversationId);
    const counts = await this.examples.sourceCounts(rows.map((r) => r.id));
    return rows.map((row) => this.toExample(row, counts.get(row.id) ?? 1));
  }

  private async startProcessing(conversation: FeedmeConversation): Promise<void> {
    try {
      await this.pipeline.enqueue(conversation);
    } catch (error) {
      // The conversation is stored as processing: the reconciler enqueues it once Redis answers.
      this.logger.warn(
        `conversation ${conversation.id}: could not enqueue yet (${(error as Error).message})`,
      );
    }
  }

  toStatus(c: FeedmeConversation): FeedmeStatusResponseDto {
    const total = c.processing.progressTotal;
    const done = c.processing.progressDone ?? 0;
    return {
      id: c.id,
      title: c.title,
      processing_status: c.processing.status,
      processing_step: c.processing.step,
      progress: {
        done,
        total,
        percent:
          c.processing.status === ProcessingStatus.Completed
            ? 100
            : total
              ? Math.floor((done / total) * 100)
              : 0,
      },
      error_message: c.processing.error,
      examples_extracted: c.examplesExtracted,
      examples_merged: c.examplesMerged,
      processing_mode: c.processingMode,
      created_at: c.createdAt,
      started_at: c.processing.startedAt,
      completed_at: c.processing.completedAt,
    };
  }

  toConversation(c: FeedmeConversation): FeedmeConversationResponseDto {
    return {
      ...this.toStatus(c),
      original_filename: c.originalFilename,
      source_format: c.sourceFormat,
      file_size: c.fileSize,
      turn_count: c.turnCount,
      source_tags: c.sourceTags,
      links: {
        self: `/api/v1/feedme/conversations/${c.id}`,
        status: `/api/v1/feedme/conversations/${c.id}/status`,
        examples: `/api/v1/feedme/conversations/${c.id}/examples`,
        page: `/feedme/conversations/${c.id}`,
      },
    };
  }

  toExample(e: ExampleFields, sourceCount: number): FeedmeExampleResponseDto {
    return {
      id: e.id,
      conversation_id: e.conversationId,
      question: e.question,
      answer: e.answer,
      context: e.context,
      tags: e.tags,
      confidence: e.confidence,
      quality_score: e.qualityScore,
      quality_reasons: e.qualityReasons,
      low_quality: e.lowQuality,
      review_status: e.reviewStatus,
      version: e.version,
      usage_count: e.usageCount,
      last_used_at: e.lastUsedAt,
      source_count: sourceCount,
      created_at: e.createdAt,
      updated_at: e.updatedAt,
    };
  }

  private toVersion(v: FeedmeExampleVersion, user: AuthUser): FeedmeVersionResponseDto {
    return {
      version: v.version,
      question: v.question,
      answer: v.answer,
      context: v.context,
      tags: v.tags,
      changed_fields: v.changedFields,
      change_kind: v.changeKind,
      change_note: v.changeNote,
      rolled_back_to: v.rolledBackTo,
      changed_by: v.changedBy,
      changed_by_email: v.changedBy && v.changedBy === user.id ? user.email : null,
      created_at: v.createdAt,
    };
  }
}

function changedFields(example: ExampleContent, content: ExampleContent): string[] {
  return CONTENT_FIELDS.filter((field) =>
    field === 'tags'
      ? example.tags.join('\u0000') !== content.tags.join('\u0000')
      : example[field] !== content[field],
  );
}
