import {
  BadRequestException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
  type OnModuleInit,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import multer, { type Multer } from 'multer';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { describeKinds, mediaTypeOf } from './file-kinds.js';
import { formatBytes } from './format-bytes.js';
import { detectFileKind, rejectionMessage } from './file-sniffer.js';
import { sanitizeFilename } from './filename.js';
import { tempDir } from './storage-paths.js';
import { StoredFile } from './stored-file.entity.js';
import { StoredFilesRepository } from './stored-files.repository.js';
import {
  TempUploadStorage,
  type MulterReceivedFile,
  type ReceivedFile,
} from './temp-upload.storage.js';
import type { StoredUpload, UploadIntake, UploadSpec, UploadTextField } from './upload-spec.js';

/** Headers of each part; a form needs a handful (disposition, type). */
const PART_HEADER_PAIRS = 20;
/** Multipart framing per part (boundary, headers) allowed on top of the contents. */
const PART_OVERHEAD = 2048;
const DAY_MS = 86_400_000;

/**
 * The upload pipeline behind `@FileUpload()`: multer streams the parts to temp files within the
 * route's limits, each file's type is decided by its content, accepted files move to
 * STORAGE_DIR/<owner or anonymous>/<uuid> with a stored_files row, and on every failure the temp
 * files are removed.
 */
@Injectable()
export class FileIntakeService implements OnModuleInit {
  private readonly logger = new Logger('FileIntake');
  private readonly storage: TempUploadStorage;
  private readonly parsers = new WeakMap<UploadSpec, Multer>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: StoredFilesRepository,
  ) {
    this.storage = new TempUploadStorage(tempDir(config.app.storageDir));
  }

  async onModuleInit(): Promise<void> {
    await mkdir(tempDir(this.config.app.storageDir), { recursive: true });
  }

  /** The largest request body a route can legitimately receive. */
  maxBodyBytes(spec: UploadSpec): number {
    const files = Object.keys(spec.files).length;
    const fields = Object.keys(spec.text ?? {}).length;
    return (
      files * this.config.files.maxBytes[spec.limit] +
      fields * this.config.files.maxFieldBytes +
      (files + fields + 1) * PART_OVERHEAD
    );
  }

  /**
   * Runs multer over the request: files to STORAGE_DIR/.tmp, text fields to `req.body`. Fails
   * with 413 (too large), 400 (malformed or unexpected parts) or 415 (not multipart); whatever
   * was written by then is removed first.
   */
  async receive(spec: UploadSpec, req: Request, res: Response): Promise<ReceivedFile[]> {
    if (!req.is('multipart/form-data')) {
      throw new UnsupportedMediaTypeException(
        `Send this upload as multipart/form-data with ${this.describeFields(spec)}.`,
      );
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBodyBytes(spec)) {
      // Refused before a byte is read; Node discards the rest of the body.
      throw new PayloadTooLargeException(
        `The upload is ${formatBytes(declared)}; this route takes files of up to ${formatBytes(this.config.files.maxBytes[spec.limit])}.`,
      );
    }
    const middleware = this.parserFor(spec).fields(
      Object.keys(spec.files).map((name) => ({ name, maxCount: 1 })),
    );
    try {
      await new Promise<void>((resolve, reject) =>
        middleware(req, res, (error?: unknown) => (error ? reject(error) : resolve())),
      );
    } catch (error) {
      await this.removeTemp(collectFiles(req).map((file) => file.tempPath));
      throw this.toHttpError(error, spec);
    }
    return collectFiles(req).map((file) => ({
      field: file.fieldname,
      originalName: file.originalname,
      tempPath: file.tempPath,
      size: file.size,
      sha256: file.sha256,
      head: file.head,
    }));
  }

  /**
   * Checks the received files and text fields against the route's spec, then stores the files.
   * On any failure the temp files are gone before the error leaves.
   */
  async accept(
    spec: UploadSpec,
    received: ReceivedFile[],
    body: unknown,
    ownerId: string | null,
  ): Promise<UploadIntake> {
    const moved: string[] = [];
    try {
      const text = this.readTextFields(spec, body);
      for (const [field, rules] of Object.entries(spec.files)) {
        if (rules.required && !received.some((file) => file.field === field)) {
          throw new BadRequestException(
            `The file field "${field}" is required (${describeKinds(rules.kinds)}).`,
          );
        }
      }
      const checked: {
        file: ReceivedFile;
        detection: { kind: StoredUpload['kind']; encoding?: StoredUpload['encoding'] };
      }[] = [];
      for (const file of received) {
        const rules = spec.files[file.field];
        if (file.size === 0) throw new BadRequestException(`The file in "${file.field}" is empty.`);
        const detection = await detectFileKind(
          { path: file.tempPath, size: file.size, head: file.head },
          rules.kinds,
        );
        if (!detection.accepted) {
          throw new UnsupportedMediaTypeException(
            rejectionMessage(file.field, detection, rules.kinds),
          );
        }
        checked.push({ file, detection });
      }

      const ownerFolder = ownerId ?? 'anonymous';
      const root = this.config.app.storageDir;
      await mkdir(join(root, ownerFolder), { recursive: true });
      const now = new Date();
      const expiresAt = new Date(now.getTime() + this.config.files.retentionDays * DAY_MS);
      const stored: StoredUpload[] = [];
      for (const { file, detection } of checked) {
        const id = randomUUID();
        const storagePath = `${ownerFolder}/${id}`;
        const path = join(root, ownerFolder, id);
        await rename(file.tempPath, path);
        moved.push(path);
        const row = Object.assign(new StoredFile(), {
          id,
          ownerId,
          purpose: spec.limit,
          storagePath,
          originalName: sanitizeFilename(file.originalName),
          mediaType: mediaTypeOf(detection.kind),
          sizeBytes: file.size,
          sha256: file.sha256,
          createdAt: now,
          expiresAt,
        });
        stored.push({
          field: file.field,
          kind: detection.kind,
          path,
          file: row,
          encoding: detection.encoding,
        });
      }
      // One statement: either every row exists or none does.
      await this.files.recordUploads(stored.map((upload) => upload.file));
      const order = Object.keys(spec.files);
      stored.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
      return {
        files: Object.fromEntries(stored.map((upload) => [upload.field, upload])),
        text,
        stored,
        ownerId,
      } as UploadIntake;
    } catch (error) {
      await this.removeTemp(received.map((file) => file.tempPath));
      await this.removeTemp(moved);
      throw error;
    }
  }

  /** Undoes an intake whose route failed: its rows and files go (nothing can point at them yet). */
  async discard(intake: UploadIntake): Promise<void> {
    if (intake.stored.length === 0) return;
    try {
      await this.files.deleteByIds(intake.stored.map((upload) => upload.file.id));
    } catch (error) {
      // A row something already references stays, with its file, until it expires.
      this.logger.warn(`kept the files of a failed upload: ${(error as Error).message}`);
      return;
    }
    await this.removeTemp(intake.stored.map((upload) => upload.path));
  }

  private parserFor(spec: UploadSpec): Multer {
    let parser = this.parsers.get(spec);
    if (!parser) {
      const files = Object.keys(spec.files).length;
      const fields = Object.keys(spec.text ?? {}).length;
      parser = multer({
        storage: this.storage,
        // Browsers send UTF-8 file names without saying so; busboy's default would read Latin-1.
        defParamCharset: 'utf8',
        // The full client-side name reaches sanitizeFilename, which keeps its last segment.
        preservePath: true,
        limits: {
          fileSize: this.config.files.maxBytes[spec.limit],
          files,
          fields,
          parts: files + fields,
          fieldSize: this.config.files.maxFieldBytes,
          fieldNameSize: 100,
          headerPairs: PART_HEADER_PAIRS,
          fieldNestingDepth: 0,
        },
      });
      this.parsers.set(spec, parser);
    }
    return parser;
  }

  private readTextFields(spec: UploadSpec, body: unknown): Record<string, unknown> {
    const fields = spec.text ?? {};
    const values = (body ?? {}) as Record<string, unknown>;
    const text: Record<string, unknown> = {};
    for (const name of Object.keys(values)) {
      if (Object.hasOwn(spec.files, name)) {
        throw new BadRequestException(`"${name}" must be a file, not a text value.`);
      }
      if (!Object.hasOwn(fields, name)) {
        throw new BadRequestException(
          `Unexpected field "${name}"; this route takes ${this.describeFields(spec)}.`,
        );
      }
    }
    for (const [name, rules] of Object.entries(fields)) {
      text[name] = readTextField(name, rules, values[name]);
    }
    return text;
  }

  private describeFields(spec: UploadSpec): string {
    const files = Object.entries(spec.files).map(
      ([name, rules]) =>
        `file "${name}" (${describeKinds(rules.kinds)}${rules.required ? ', required' : ''})`,
    );
    const text = Object.entries(spec.text ?? {}).map(
      ([name, rules]) => `text "${name}"${rules.required ? ' (required)' : ''}`,
    );
    return [...files, ...text].join(', ');
  }

  private toHttpError(error: unknown, spec: UploadSpec): unknown {
    if (error instanceof HttpException) return error;
    const code = (error as { code?: string }).code;
    const field = (error as { field?: string }).field;
    const limits = this.config.files;
    switch (code) {
      case 'LIMIT_FILE_SIZE':
        return new PayloadTooLargeException(
          `The file in "${field}" is larger than the ${formatBytes(limits.maxBytes[spec.limit])} this route takes.`,
        );
      case 'LIMIT_FIELD_VALUE':
        return new PayloadTooLargeException(
          `The text field "${field}" is longer than ${formatBytes(limits.maxFieldBytes)}.`,
        );
      case 'LIMIT_PART_COUNT':
      case 'LIMIT_FILE_COUNT':
      case 'LIMIT_FIELD_COUNT':
        return new BadRequestException(
          `Too many parts in the form; this route takes ${this.describeFields(spec)}, one part each.`,
        );
      case 'LIMIT_UNEXPECTED_FILE':
        return new BadRequestException(
          `Unexpected file in "${field}"; this route takes ${this.describeFields(spec)}, one file each.`,
        );
      case 'LIMIT_FIELD_KEY':
      case 'LIMIT_FIELD_NESTING':
      case 'LIMIT_FIELD_ARRAY_INDEX':
      case 'INVALID_FIELD_NAME':
      case 'MISSING_FIELD_NAME':
        return new BadRequestException(
          `Invalid field name in the form (${(error as Error).message}).`,
        );
    }
    // busboy's own errors: a malformed body, a missing boundary, a body cut short.
    return new BadRequestException(
      `Malformed multipart/form-data body: ${(error as Error).message ?? String(error)}.`,
    );
  }

  private async removeTemp(paths: readonly string[]): Promise<void> {
    await Promise.all(paths.map((path) => rm(path, { force: true }).catch(() => undefined)));
  }
}

function collectFiles(req: Request): MulterReceivedFile[] {
  const files = req.files as Record<string, MulterReceivedFile[]> | undefined;
  return files
    ? Object.values(files)
        .flat()
        .filter((file) => file.tempPath)
    : [];
}

function readTextField(name: string, rules: UploadTextField, raw: unknown): unknown {
  if (Array.isArray(raw)) throw new BadRequestException(`"${name}" was sent more than once.`);
  if (raw !== undefined && typeof raw !== 'string') {
    throw new BadRequestException(`"${name}" must be a plain text value.`);
  }
  const value = raw === '' ? undefined : raw;
  if (value === undefined) {
    if (rules.required) throw new BadRequestException(`The field "${name}" is required.`);
    return undefined;
  }
  if (rules.maxLength !== undefined && value.length > rules.maxLength) {
    throw new BadRequestException(`"${name}" is longer than ${rules.maxLength} characters.`);
  }
  switch (rules.type ?? 'string') {
    case 'boolean': {
      const flag = value.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(flag)) return true;
      if (['false', '0', 'no', 'off'].includes(flag)) return false;
      throw new BadRequestException(`"${name}" must be true or false, got "${value}".`);
    }
    case 'integer': {
      if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
        throw new BadRequestException(`"${name}" must be an integer, got "${value}".`);
      }
      return Number(value);
    }
    default:
      return value;
  }
}
