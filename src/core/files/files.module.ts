import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FileIntakeInterceptor } from './file-intake.interceptor.js';
import { FileIntakeService } from './file-intake.service.js';
import { SpreadsheetService } from './spreadsheet.service.js';
import { StoredFile } from './stored-file.entity.js';
import { StoredFilesRepository } from './stored-files.repository.js';

/**
 * The one door to uploads and spreadsheets (STYLE.md 10): `@FileUpload()` routes, the
 * SpreadsheetService, and the stored_files table. Global, as every module takes files.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([StoredFile])],
  providers: [FileIntakeService, FileIntakeInterceptor, SpreadsheetService, StoredFilesRepository],
  exports: [FileIntakeService, FileIntakeInterceptor, SpreadsheetService, StoredFilesRepository],
})
export class FilesModule {}
