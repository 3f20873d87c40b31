import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiAuth } from '../../core/auth/api-auth.decorator.js';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { CurrentUser } from '../../core/auth/current-user.decorator.js';
import { ErrorResponseDto } from '../../core/web/error-response.dto.js';
import { ChatbotsService } from './chatbots.service.js';
import { ChatbotCreateDto, ChatbotResponseDto } from './dto/chatbot.dto.js';

/** Chatbots and their flows (the seed's flow_template_assignments); API keys are write-only. */
@ApiTags('chatbots')
@ApiAuth()
@Controller('api/chatbots')
export class ChatbotsController {
  constructor(private readonly chatbots: ChatbotsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a chatbot with its flows' })
  @ApiCreatedResponse({ type: ChatbotResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'You already have this slug' })
  create(@CurrentUser() user: AuthUser, @Body() body: ChatbotCreateDto) {
    return this.chatbots.create(user, body);
  }

  @Get()
  @ApiOperation({ summary: 'Your chatbots' })
  @ApiOkResponse({ type: ChatbotResponseDto, isArray: true })
  list(@CurrentUser() user: AuthUser) {
    return this.chatbots.list(user);
  }

  @Get(':id')
  @ApiAuth({ owned: 'chatbot' })
  @ApiOperation({ summary: 'One chatbot (by id or slug)' })
  @ApiParam({ name: 'id', description: 'The id or the slug' })
  @ApiOkResponse({ type: ChatbotResponseDto })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.chatbots.get(id, user);
  }

  @Put(':id')
  @ApiAuth({ owned: 'chatbot' })
  @ApiOperation({
    summary: "Replace a chatbot's settings and flows",
    description: 'A flow sent without `api_key` keeps its stored key; `null` removes it.',
  })
  @ApiParam({ name: 'id', description: 'The id or the slug' })
  @ApiOkResponse({ type: ChatbotResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'You already have this slug' })
  update(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() body: ChatbotCreateDto) {
    return this.chatbots.update(id, user, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiAuth({ owned: 'chatbot' })
  @ApiOperation({ summary: 'Delete a chatbot with its sessions and answers' })
  @ApiParam({ name: 'id', description: 'The id or the slug' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async delete(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<void> {
    await this.chatbots.delete(id, user);
  }
}
