import { ConflictException, Controller, Get, Module, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  defineUpload,
  FileUpload,
  IMAGE_KINDS,
  SPREADSHEET_KINDS,
  SpreadsheetService,
  UploadedIntake,
  type UploadIntake,
} from '../../src/core/files/index.js';

export const SHEET_UPLOAD = defineUpload({
  limit: 'spreadsheet',
  files: { file: { kinds: SPREADSHEET_KINDS, required: true, description: 'Leads to process.' } },
});

export const ARTICLE_UPLOAD = defineUpload({
  limit: 'specification',
  files: {
    productSpecification: { kinds: ['pdf', 'docx', 'text', 'csv', 'xlsx'], required: true },
    drawing: { kinds: ['pdf', ...IMAGE_KINDS] },
  },
  text: {
    articleName: { required: true, maxLength: 200, example: 'Widget A' },
    description: { description: 'Free text.' },
    urgent: { type: 'boolean' },
  },
});

function describeIntake(intake: UploadIntake) {
  return {
    ownerId: intake.ownerId,
    text: intake.text,
    files: intake.stored.map((upload) => ({
      field: upload.field,
      kind: upload.kind,
      path: upload.path,
      id: upload.file.id,
      storagePath: upload.file.storagePath,
      originalName: upload.file.originalName,
      mediaType: upload.file.mediaType,
      sizeBytes: upload.file.sizeBytes,
      sha256: upload.file.sha256,
      encoding: upload.encoding ?? null,
    })),
  };
}

/** Test-only upload routes, as modules declare them. */
@Controller('api/test-uploads')
class UploadTestController {
  constructor(private readonly spreadsheets: SpreadsheetService) {}

  @Post('sheet')
  @FileUpload(SHEET_UPLOAD)
  sheet(@UploadedIntake() intake: UploadIntake<typeof SHEET_UPLOAD>) {
    return describeIntake(intake);
  }

  @Post('sheet/rows')
  @FileUpload(SHEET_UPLOAD)
  async rows(@UploadedIntake() intake: UploadIntake<typeof SHEET_UPLOAD>) {
    const reader = await this.spreadsheets.open(intake.files.file);
    const rows = await reader.toArray();
    return { headers: reader.headers, rows: rows.map((row) => row.values), issues: reader.issues };
  }

  @Post('article')
  @FileUpload(ARTICLE_UPLOAD)
  article(@UploadedIntake() intake: UploadIntake<typeof ARTICLE_UPLOAD>) {
    const name: string = intake.text.articleName;
    const urgent: boolean | undefined = intake.text.urgent;
    return { ...describeIntake(intake), name, urgent, drawing: intake.files.drawing?.kind ?? null };
  }

  @Post('failing')
  @FileUpload(SHEET_UPLOAD)
  failing(): never {
    throw new ConflictException('the route failed after the intake');
  }

  @Get('report')
  async report(@Res() res: Response): Promise<void> {
    async function* rows() {
      yield ['Ann', '=HYPERLINK("https://evil.example","x")'];
      yield ['Bob', '+1'];
    }
    await this.spreadsheets.send(
      res,
      'report',
      { format: 'xlsx', columns: ['Name', 'Note'] },
      rows(),
    );
  }
}

@Module({ controllers: [UploadTestController] })
export class UploadTestModule {}
