import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import { uploadOwner } from './auth-user.js';
import { FileIntakeService } from './file-intake.service.js';
import type { UploadIntake, UploadSpec } from './upload-spec.js';

export const UPLOAD_SPEC = Symbol('conveyor:upload-spec');
const INTAKE = Symbol('conveyor:upload-intake');

/**
 * Bound by `@FileUpload()`: receives and stores the upload before the route runs (after the
 * guards, so `req.user` is known), hands it to `@UploadedIntake()`, and removes it again if the
 * route fails.
 */
@Injectable()
export class FileIntakeInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly intake: FileIntakeService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const spec = this.reflector.get<UploadSpec | undefined>(UPLOAD_SPEC, context.getHandler());
    if (!spec)
      throw new Error('FileIntakeInterceptor is bound by @FileUpload(), which names the spec');
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const received = await this.intake.receive(spec, req, http.getResponse<Response>());
    const intake = await this.intake.accept(spec, received, req.body, uploadOwner(req));
    (req as Request & { [INTAKE]?: UploadIntake })[INTAKE] = intake;
    return next
      .handle()
      .pipe(
        catchError((error: unknown) =>
          from(this.intake.discard(intake)).pipe(mergeMap(() => throwError(() => error))),
        ),
      );
  }
}

export function intakeOf(req: Request): UploadIntake {
  const intake = (req as Request & { [INTAKE]?: UploadIntake })[INTAKE];
  if (!intake) throw new Error('@UploadedIntake() needs @FileUpload() on the same route');
  return intake;
}
