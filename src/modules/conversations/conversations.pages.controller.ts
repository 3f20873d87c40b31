import { Body, Controller, Get, HttpException, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import type { AuthUser } from '../../core/auth/auth-user.js';
import { CurrentUser } from '../../core/auth/current-user.decorator.js';
import { isUuid } from '../../core/auth/owner-scope.js';
import { ChatbotsService } from './chatbots.service.js';
import { ConversationsService } from './conversations.service.js';
import type { ConversationSessionDto } from './dto/conversation.dto.js';

interface ChatbotForm {
  name?: unknown;
  slug?: unknown;
  language?: unknown;
  keywords?: unknown;
}

/**
 * The chat page: pick a chatbot, send messages, watch the answer arrive (SSE, polling when SSE is
 * not available), citations under it; `?session=` reopens a conversation and resumes an answer
 * still being written. Also a small form to create a chatbot.
 */
@ApiExcludeController()
@Controller('chat')
export class ConversationsPagesController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly chatbots: ChatbotsService,
  ) {}

  @Get()
  async chat(
    @CurrentUser() user: AuthUser,
    @Query('session') sessionId: string | undefined,
    @Query('chatbot') chatbotId: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    await this.render(res, user, 200, null, sessionId, chatbotId);
  }

  /** Creates a chatbot with one `main` flow (the API takes the full set of flows). */
  @Post('chatbots')
  async createChatbot(
    @CurrentUser() user: AuthUser,
    @Body() form: ChatbotForm,
    @Res() res: Response,
  ): Promise<void> {
    const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
    try {
      const name = text(form.name);
      const slug = text(form.slug).toLowerCase() || name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      if (!name) throw new HttpException('Give the chatbot a name.', 400);
      if (!/^[a-z0-9][a-z0-9_-]{0,62}$/.test(slug))
        throw new HttpException('The slug must be lower-case letters, digits, - or _.', 400);
      const created = await this.chatbots.create(user, {
        name,
        slug,
        language: text(form.language) || undefined,
      });
      res.redirect(303, `/chat?chatbot=${created.id}`);
    } catch (error) {
      if (!(error instanceof HttpException) || error.getStatus() === 404) throw error;
      await this.render(res, user, error.getStatus(), error.message, undefined, undefined);
    }
  }

  private async render(
    res: Response,
    user: AuthUser,
    status: number,
    error: string | null,
    sessionId: string | undefined,
    chatbotId: string | undefined,
  ): Promise<void> {
    const chatbots = await this.chatbots.list(user);
    let session: ConversationSessionDto | null = null;
    if (sessionId && isUuid(sessionId)) session = await this.conversations.session(sessionId, user);
    const selected =
      chatbots.find((bot) => bot.id === (session?.chatbot_id ?? chatbotId)) ?? chatbots[0] ?? null;
    const sessions = selected ? await this.conversations.listSessions(user, selected.id) : [];
    const activeStream = session?.active_stream?.streaming_session_id ?? null;
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).render('conversations/chat', {
      title: 'Chat',
      error,
      chatbots: chatbots.map((bot) => ({ ...bot, selected: bot.id === selected?.id })),
      selected,
      sessions: sessions.map((s) => ({ ...s, current: s.id === session?.id })),
      session,
      messages: (session?.messages ?? [])
        .filter(
          (m) =>
            !(activeStream && m.streaming_session_id === activeStream && m.role === 'assistant'),
        )
        .map((m) => ({ ...m, isUser: m.role === 'user' })),
      activeStream,
    });
  }
}
