import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import type { Owner } from '../../core/auth/owner-scope.js';
import { ChatbotsRepository } from './chatbots.repository.js';
import type { ChatbotCreateDto, ChatbotResponseDto, FlowDto } from './dto/chatbot.dto.js';
import type { ConversationConfigResponseDto } from './dto/conversation.dto.js';
import type { Chatbot } from './entities/chatbot.entity.js';
import type { FlowTemplateAssignment } from './entities/flow-template-assignment.entity.js';
import { DEFAULT_PROMPT_TEMPLATE, unknownPlaceholders } from './flows/prompt-template.js';

/** Shows that a key is set without showing it: the first 3 and last 4 characters of long keys. */
export function maskSecret(secret: string | null): string | null {
  if (!secret) return null;
  if (secret.length < 16) return '••••';
  return `${secret.slice(0, 3)}…${secret.slice(-4)}`;
}

type FlowRow = Omit<FlowTemplateAssignment, 'id' | 'chatbotId' | 'chatbot'>;

/** Chatbots and their flows: the admin API, and the seed's conversation-config. */
@Injectable()
export class ChatbotsService {
  constructor(private readonly chatbots: ChatbotsRepository) {}

  async create(owner: Owner, dto: ChatbotCreateDto): Promise<ChatbotResponseDto> {
    if (await this.chatbots.slugTaken(owner, dto.slug))
      throw new ConflictException(`You already have a chatbot with slug "${dto.slug}".`);
    const chatbot = this.chatbots.newOwned(owner, {
      slug: dto.slug,
      name: dto.name,
      language: dto.language ?? 'english',
      imageEnabled: dto.image_enabled ?? false,
      defaultFlow: dto.default_flow ?? dto.flows?.[0]?.flow_key ?? 'main',
    });
    const flows = this.flowRows(dto, []);
    return toChatbotResponse(await this.chatbots.saveWithFlows(chatbot, flows));
  }

  async list(owner: Owner): Promise<ChatbotResponseDto[]> {
    return (await this.chatbots.listWithFlows(owner)).map(toChatbotResponse);
  }

  async get(idOrSlug: string, owner: Owner): Promise<ChatbotResponseDto> {
    return toChatbotResponse(await this.chatbots.getByIdOrSlug(idOrSlug, owner));
  }

  /** Replaces the chatbot's settings and flows; API keys not sent are kept (they are write-only). */
  async update(idOrSlug: string, owner: Owner, dto: ChatbotCreateDto): Promise<ChatbotResponseDto> {
    const existing = await this.chatbots.getByIdOrSlug(idOrSlug, owner);
    if (await this.chatbots.slugTaken(owner, dto.slug, existing.id))
      throw new ConflictException(`You already have a chatbot with slug "${dto.slug}".`);
    const flows = this.flowRows(dto, existing.flows);
    const chatbot: Chatbot = {
      ...existing,
      slug: dto.slug,
      name: dto.name,
      language: dto.language ?? existing.language,
      imageEnabled: dto.image_enabled ?? existing.imageEnabled,
      defaultFlow: dto.default_flow ?? flows[0].flowKey,
    };
    return toChatbotResponse(await this.chatbots.saveWithFlows(chatbot, flows));
  }

  async delete(idOrSlug: string, owner: Owner): Promise<void> {
    const chatbot = await this.chatbots.getByIdOrSlug(idOrSlug, owner);
    await this.chatbots.deleteOwned(chatbot.id, owner);
    this.chatbots.forget();
  }

  /** seed 004's configuration object; flow API keys masked (DESIGN.md 6). */
  async configuration(idOrSlug: string, owner: Owner): Promise<ConversationConfigResponseDto> {
    const chatbot = await this.chatbots.getByIdOrSlug(idOrSlug, owner);
    const byFlow = <T>(value: (flow: FlowTemplateAssignment) => T) =>
      Object.fromEntries(chatbot.flows.map((flow) => [flow.flowKey, value(flow)]));
    return {
      success: true,
      configuration: {
        chatbot_id: chatbot.id,
        slug: chatbot.slug,
        name: chatbot.name,
        image_enabled: chatbot.imageEnabled,
        language: chatbot.language,
        default_flow: chatbot.defaultFlow,
        topKSettings: byFlow((flow) => flow.topK),
        flowApiKeys: byFlow((flow) => maskSecret(flow.apiKey)),
        flowModels: byFlow((flow) => flow.model),
      },
    };
  }

  /** Checks the flows (unique keys, known placeholders, a default that exists) before writing. */
  private flowRows(dto: ChatbotCreateDto, existing: FlowTemplateAssignment[]): FlowRow[] {
    const given: FlowDto[] = dto.flows ?? [{ flow_key: dto.default_flow ?? 'main' }];
    const keys = new Set<string>();
    const rows = given.map((flow, position): FlowRow => {
      if (keys.has(flow.flow_key))
        throw new BadRequestException(`flows: flow_key "${flow.flow_key}" appears twice`);
      keys.add(flow.flow_key);
      const template = flow.prompt_template ?? DEFAULT_PROMPT_TEMPLATE;
      const unknown = unknownPlaceholders(template);
      if (unknown.length > 0)
        throw new BadRequestException(
          `flows[${position}].prompt_template: unknown placeholder(s) ${unknown.map((u) => `{{${u}}}`).join(', ')}`,
        );
      const previous = existing.find((row) => row.flowKey === flow.flow_key);
      return {
        flowKey: flow.flow_key,
        position,
        description: flow.description ?? null,
        promptTemplate: template,
        topK: flow.top_k ?? 5,
        minScore: flow.min_score ?? null,
        model: flow.model ?? null,
        apiKey: flow.api_key === undefined ? (previous?.apiKey ?? null) : flow.api_key,
        keywords: (flow.keywords ?? []).map((k) => k.trim()).filter(Boolean),
        execution: flow.execution ?? 'parallel',
        alwaysRun: flow.always_run ?? false,
        vision: flow.vision ?? false,
        knowledgeBaseIds: flow.knowledge_base_ids ?? null,
      };
    });
    if (dto.default_flow && !keys.has(dto.default_flow))
      throw new BadRequestException(`default_flow: "${dto.default_flow}" is not one of the flows`);
    if (rows.every((row) => row.alwaysRun))
      throw new BadRequestException('flows: at least one flow must not be always_run');
    return rows;
  }
}

export function toChatbotResponse(chatbot: Chatbot): ChatbotResponseDto {
  return {
    id: chatbot.id,
    slug: chatbot.slug,
    name: chatbot.name,
    language: chatbot.language,
    image_enabled: chatbot.imageEnabled,
    default_flow: chatbot.defaultFlow,
    flows: [...(chatbot.flows ?? [])]
      .sort((a, b) => a.position - b.position)
      .map((flow) => ({
        flow_key: flow.flowKey,
        position: flow.position,
        description: flow.description,
        prompt_template: flow.promptTemplate,
        top_k: flow.topK,
        min_score: flow.minScore,
        model: flow.model,
        api_key: maskSecret(flow.apiKey),
        keywords: flow.keywords,
        execution: flow.execution,
        always_run: flow.alwaysRun,
        vision: flow.vision,
        knowledge_base_ids: flow.knowledgeBaseIds,
      })),
    created_at: chatbot.createdAt,
    updated_at: chatbot.updatedAt,
  };
}
