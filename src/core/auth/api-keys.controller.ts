import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { AccountsService } from './accounts.service.js';
import { ApiAuth } from './api-auth.decorator.js';
import type { AuthUser } from './auth-user.js';
import { CurrentUser } from './current-user.decorator.js';
import {
  ApiKeyCreatedResponseDto,
  ApiKeyCreateDto,
  ApiKeyListQueryDto,
  ApiKeyResponseDto,
} from './dto/api-key.dto.js';

@ApiTags('keys')
@ApiAuth()
@Controller('api/keys')
export class ApiKeysController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'For yourself, or (administrators) for the user named by `userId`. The key is returned once; only its SHA-256 is stored.',
  })
  @ApiCreatedResponse({ type: ApiKeyCreatedResponseDto })
  @ApiAuth({ owned: 'user' })
  create(@CurrentUser() actor: AuthUser, @Body() body: ApiKeyCreateDto) {
    return this.accounts.createKey(actor, body);
  }

  @Get()
  @ApiOperation({ summary: 'List your API keys (administrators: any user’s, with userId)' })
  @ApiOkResponse({ type: ApiKeyResponseDto, isArray: true })
  list(@CurrentUser() actor: AuthUser, @Query() query: ApiKeyListQueryDto) {
    return this.accounts.listKeys(actor, query.userId);
  }

  @Get(':id')
  @ApiAuth({ owned: 'API key' })
  @ApiOperation({ summary: 'One API key (never the key itself)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ApiKeyResponseDto })
  get(@CurrentUser() actor: AuthUser, @Param('id') id: string) {
    return this.accounts.getKey(id, actor);
  }

  @Delete(':id')
  @ApiAuth({ owned: 'API key' })
  @ApiOperation({
    summary: 'Revoke an API key',
    description:
      'Takes effect at once on every instance; page sessions opened with the key end too. Revoking a revoked key answers the same.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ApiKeyResponseDto })
  revoke(@CurrentUser() actor: AuthUser, @Param('id') id: string) {
    return this.accounts.revokeKey(id, actor);
  }
}
