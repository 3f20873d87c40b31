import type { FileKind } from './file-kinds.js';
import type { StoredFile } from './stored-file.entity.js';
import type { TextEncoding } from './text-encoding.js';

/** Size classes of the intake; each has its limit in config (UPLOAD_MAX_<CLASS>_MB). */
export type UploadLimit = 'spreadsheet' | 'transcript' | 'specification' | 'image';

export interface UploadFileField {
  /** The kinds this field takes, decided by content. */
  kinds: readonly FileKind[];
  required?: boolean;
  description?: string;
}

export interface UploadTextField {
  required?: boolean;
  /** How the value is read: 'boolean' takes true/false/1/0/yes/no/on/off. Default 'string'. */
  type?: 'string' | 'boolean' | 'integer';
  description?: string;
  example?: string | number | boolean;
  /** Longest accepted value, in characters. */
  maxLength?: number;
}

/** What one upload route takes: its size class, its file fields (one file each) and text fields. */
export interface UploadSpec {
  limit: UploadLimit;
  files: Readonly<Record<string, UploadFileField>>;
  text?: Readonly<Record<string, UploadTextField>>;
}

/** Declares a route's upload once, typed, for `@FileUpload()` and `UploadIntake<typeof SPEC>`. */
export function defineUpload<const S extends UploadSpec>(spec: S): S {
  return spec;
}

/** A file the intake accepted: written to STORAGE_DIR/<owner or anonymous>/<uuid>, row saved. */
export interface StoredUpload {
  /** The form field it came in. */
  field: string;
  /** What the content is (never taken from the name or the Content-Type). */
  kind: FileKind;
  /** Absolute path of the stored file. */
  path: string;
  /** The stored_files row: id, owner, sanitized original name, size, SHA-256, expiry. */
  file: StoredFile;
  /** For text kinds: the encoding the first 64 KB suggest. */
  encoding?: TextEncoding;
}

type TextValue<F> = F extends { type: 'boolean' }
  ? boolean
  : F extends { type: 'integer' }
    ? number
    : string;

type FilesOf<S extends UploadSpec> = {
  [K in keyof S['files']]: S['files'][K] extends { required: true }
    ? StoredUpload
    : StoredUpload | undefined;
};

type TextOf<S extends UploadSpec> =
  S['text'] extends Readonly<Record<string, UploadTextField>>
    ? {
        [K in keyof S['text']]: S['text'][K] extends { required: true }
          ? TextValue<S['text'][K]>
          : TextValue<S['text'][K]> | undefined;
      }
    : Record<string, never>;

/** What `@UploadedIntake()` hands a route: its stored files by field, and its text fields. */
export interface UploadIntake<S extends UploadSpec = UploadSpec> {
  files: FilesOf<S>;
  text: TextOf<S>;
  /** Every stored file, in the order the fields are declared. */
  stored: StoredUpload[];
  /** Who uploaded it (null without an authenticated user). */
  ownerId: string | null;
}
