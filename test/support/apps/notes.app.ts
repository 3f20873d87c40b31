import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Injectable,
  Module,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { IsString, Length } from 'class-validator';
import type { DataSource, Repository } from 'typeorm';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ApiAuth } from '../../../src/core/auth/api-auth.decorator.js';
import type { AuthUser } from '../../../src/core/auth/auth-user.js';
import { CurrentUser } from '../../../src/core/auth/current-user.decorator.js';
import { notFound, OwnedRepository } from '../../../src/core/auth/owner-scope.js';
import { RateLimit } from '../../../src/core/auth/rate-limit.decorator.js';

/**
 * A small owned module in the shape every real module has (entity with owner_id, repository on
 * OwnedRepository, controller taking @CurrentUser), used by the ownership and rate-limit tests.
 * Its table is created by createNotesTable (tests have no migrations of their own).
 */
@Entity('test_notes')
export class TestNote {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'text' })
  text!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}

export async function createNotesTable(db: DataSource): Promise<void> {
  await db.query(`
    CREATE TABLE IF NOT EXISTS test_notes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      text text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
}

class NoteCreateDto {
  @ApiProperty({ example: 'call the supplier' })
  @IsString()
  @Length(1, 500)
  text!: string;
}

class NoteResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() text!: string;
}

@Injectable()
export class TestNotesRepository extends OwnedRepository<TestNote> {
  constructor(@InjectRepository(TestNote) notes: Repository<TestNote>) {
    super(notes, 'Note');
  }

  /** What a forgetful module would write: no owner scope. The walker must catch it. */
  findAnyone(id: string): Promise<TestNote | null> {
    return this.repository.findOneBy({ id });
  }
}

const view = (note: TestNote): NoteResponseDto => ({ id: note.id, text: note.text });

@ApiTags('test-notes')
@ApiAuth()
@Controller('api/test-notes')
export class TestNotesController {
  constructor(private readonly notes: TestNotesRepository) {}

  @Post()
  @ApiCreatedResponse({ type: NoteResponseDto })
  async create(@CurrentUser() user: AuthUser, @Body() body: NoteCreateDto) {
    return view(await this.notes.insertOwned(user, { text: body.text }));
  }

  @Get()
  @ApiOkResponse({ type: NoteResponseDto, isArray: true })
  async list(@CurrentUser() user: AuthUser) {
    return (await this.notes.listOwned(user, { order: { createdAt: 'ASC' } })).map(view);
  }

  @Get(':id')
  @ApiAuth({ owned: 'note' })
  @ApiOkResponse({ type: NoteResponseDto })
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return view(await this.notes.getOwned(id, user));
  }

  @Patch(':id')
  @ApiAuth({ owned: 'note' })
  @ApiOkResponse({ type: NoteResponseDto })
  async update(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() body: NoteCreateDto,
  ) {
    if (!(await this.notes.updateOwned(id, user, { text: body.text }))) throw notFound('Note');
    return view(await this.notes.getOwned(id, user));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiAuth({ owned: 'note' })
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    if (!(await this.notes.deleteOwned(id, user))) throw notFound('Note');
  }

  /** Stands in for an upload route: the stricter per-key upload limit applies. */
  @Post(':id/attachments')
  @RateLimit('upload')
  @ApiAuth({ owned: 'note' })
  @ApiCreatedResponse({ type: NoteResponseDto })
  async attach(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return view(await this.notes.getOwned(id, user));
  }
}

@Module({
  imports: [TypeOrmModule.forFeature([TestNote])],
  controllers: [TestNotesController],
  providers: [TestNotesRepository],
  exports: [TestNotesRepository],
})
export class TestNotesModule {}

/** Routes with ownership bugs, to prove the walker finds them. */
@ApiTags('test-leaky')
@Controller('api/test-leaky')
export class LeakyController {
  constructor(private readonly notes: TestNotesRepository) {}

  /** Leaks another user's note. */
  @Get('notes/:id')
  async leak(@Param('id') id: string) {
    const note = await this.notes.findAnyone(id);
    if (!note) throw notFound('Note');
    return view(note);
  }

  /** Says "forbidden" for someone else's note and "not found" for a missing one: tells them apart. */
  @Get('tells/:id')
  async tells(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    const note = await this.notes.findAnyone(id);
    if (!note) throw notFound('Note');
    if (note.ownerId !== user.id) throw notFound(`Note ${id} belongs to someone else`);
    return view(note);
  }
}

@Module({ imports: [TestNotesModule], controllers: [LeakyController] })
export class LeakyNotesModule {}

/** Has a path parameter but no ownership fixture: the walker must name it. */
@ApiTags('test-unfixtured')
@Controller('api/test-unfixtured')
export class UnfixturedController {
  @Get(':thing')
  get(@Param('thing') thing: string) {
    return { thing };
  }
}

@Module({ controllers: [UnfixturedController] })
export class UnfixturedModule {}
