import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ErrorResponseDto } from '../web/error-response.dto.js';
import { AccountsService } from './accounts.service.js';
import { ApiAuth } from './api-auth.decorator.js';
import type { AuthUser } from './auth-user.js';
import { CurrentUser } from './current-user.decorator.js';
import { UserCreatedResponseDto, UserCreateDto, UserResponseDto } from './dto/user.dto.js';

@ApiTags('users')
@ApiAuth()
@Controller('api/users')
export class UsersController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiAuth({ admin: true })
  @ApiOperation({
    summary: 'Create a user and their first API key (administrators)',
    description: 'The key is in the response and nowhere else: hand it to the user now.',
  })
  @ApiCreatedResponse({ type: UserCreatedResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'The email is taken' })
  create(@CurrentUser() actor: AuthUser, @Body() body: UserCreateDto) {
    return this.accounts.createUser(actor, body);
  }

  @Get()
  @ApiAuth({ admin: true })
  @ApiOperation({ summary: 'List users with their number of active keys (administrators)' })
  @ApiOkResponse({ type: UserResponseDto, isArray: true })
  list(@CurrentUser() actor: AuthUser) {
    return this.accounts.listUsers(actor);
  }

  @Get('me')
  @ApiOperation({ summary: 'The user the key belongs to' })
  @ApiOkResponse({ type: UserResponseDto })
  me(@CurrentUser() actor: AuthUser) {
    return this.accounts.getUser(actor.id, actor);
  }

  @Get(':id')
  @ApiAuth({ owned: 'user' })
  @ApiOperation({ summary: 'One user (administrators: anyone; others: themselves)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: UserResponseDto })
  get(@CurrentUser() actor: AuthUser, @Param('id') id: string) {
    return this.accounts.getUser(id, actor);
  }
}
