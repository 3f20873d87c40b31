import {
  applyDecorators,
  createParamDecorator,
  SetMetadata,
  UseInterceptors,
  type ExecutionContext,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiPayloadTooLargeResponse,
  ApiUnsupportedMediaTypeResponse,
  type SchemaObject,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { describeKinds } from './file-kinds.js';
import { FileIntakeInterceptor, intakeOf, UPLOAD_SPEC } from './file-intake.interceptor.js';
import type { UploadSpec } from './upload-spec.js';

const LIMIT_VARIABLES: Record<UploadSpec['limit'], string> = {
  spreadsheet: 'UPLOAD_MAX_SPREADSHEET_MB (default 50 MB)',
  transcript: 'UPLOAD_MAX_TRANSCRIPT_MB (default 10 MB)',
  specification: 'UPLOAD_MAX_SPECIFICATION_MB (default 10 MB)',
  image: 'UPLOAD_MAX_IMAGE_MB (default 10 MB)',
};

/**
 * Makes a route an upload route: multipart/form-data parsed by multer within the spec's limits,
 * file types checked by content, files stored and recorded before the handler runs (read them
 * with `@UploadedIntake()`), and the whole form documented in Swagger.
 *
 * @example
 *   @Post('upload')
 *   @FileUpload(LEADS_UPLOAD)
 *   upload(@UploadedIntake() intake: UploadIntake<typeof LEADS_UPLOAD>) { ... }
 */
export function FileUpload(spec: UploadSpec): MethodDecorator {
  const limit = LIMIT_VARIABLES[spec.limit];
  return applyDecorators(
    SetMetadata(UPLOAD_SPEC, spec),
    UseInterceptors(FileIntakeInterceptor),
    ApiConsumes('multipart/form-data'),
    ApiBody({ schema: uploadSchema(spec) }),
    ApiBadRequestResponse({
      description: 'Malformed multipart body, a missing required field, or an unexpected one.',
    }),
    ApiPayloadTooLargeResponse({ description: `A file is larger than ${limit}.` }),
    ApiUnsupportedMediaTypeResponse({
      description:
        'A file is not of an accepted kind (decided by its content, not its name); the message says what it is.',
    }),
  );
}

/** The stored files and text fields of the route's upload (see `UploadIntake`). */
export const UploadedIntake = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  intakeOf(context.switchToHttp().getRequest<Request>()),
);

export function uploadSchema(spec: UploadSpec): SchemaObject {
  const properties: Record<string, SchemaObject> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(spec.files)) {
    properties[name] = {
      type: 'string',
      format: 'binary',
      description: [
        field.description,
        `${describeKinds(field.kinds)}; up to ${LIMIT_VARIABLES[spec.limit]}.`,
      ]
        .filter(Boolean)
        .join(' '),
    };
    if (field.required) required.push(name);
  }
  for (const [name, field] of Object.entries(spec.text ?? {})) {
    properties[name] = {
      type: field.type ?? 'string',
      ...(field.description ? { description: field.description } : {}),
      ...(field.example !== undefined ? { example: field.example } : {}),
      ...(field.maxLength !== undefined ? { maxLength: field.maxLength } : {}),
    };
    if (field.required) required.push(name);
  }
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}) };
}
