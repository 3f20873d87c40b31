import { ValidationPipe, type DynamicModule, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from './app.module.js';
import { imageJsonBody } from './modules/conversations/image-json-body.js';
import type { AppConfig } from './core/config/config.js';
import { redact } from './core/config/env-spec.js';
import { installAuthentication, securityHeaders } from './core/auth/auth-http.js';
import { EmbeddedPostgres } from './core/database/embedded-postgres.js';
import { prepareDatabase } from './core/database/prepare-database.js';
import { AppLogger } from './core/logging/app-logger.js';
import { requestLogging } from './core/logging/request-logging.js';
import { packageVersion, projectRoot } from './core/project-root.js';
import { ensureRedis, type RedisTarget } from './core/queue/ensure-redis.js';
import type { Runtime } from './core/runtime.js';
import { HandlebarsViews } from './core/web/handlebars-views.js';
import { HttpErrorFilter } from './core/web/http-error.filter.js';
import { pageShell } from './core/web/page-shell.js';
import { WebRegistry } from './core/web/web-registry.js';

export interface Conveyor {
  app: NestExpressApplication;
  config: AppConfig;
  runtime: Runtime;
  logger: AppLogger;
  /** Where the HTTP server listens (undefined with HTTP=false). */
  url?: string;
  /** Graceful stop: jobs drained or handed back, HTTP, Redis and the database closed, children stopped. */
  stop(): Promise<void>;
}

/**
 * Starts everything in order: the embedded database (when DATABASE_URL is unset), Redis (or a
 * private redis-server), the schema check and migrations, then the Nest app. Used by main.ts and by
 * the tests, so both run the same path.
 */
export interface StartOptions {
  logger?: AppLogger;
  /** Extra modules (tests add job processors or routes of their own). */
  modules?: (Type | DynamicModule)[];
}

export async function startConveyor(
  config: AppConfig,
  options: StartOptions = {},
): Promise<Conveyor> {
  const logger = options.logger ?? defaultLogger(config);
  const started = performance.now();
  const cleanup: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const step of cleanup.reverse())
      await step().catch((error) => logger.error(error, 'Shutdown'));
  };
  try {
    mkdirSync(config.app.dataDir, { recursive: true });
    let databaseUrl = config.database.url;
    if (!databaseUrl) {
      const embedded = await EmbeddedPostgres.start({
        dataDir: join(config.app.dataDir, 'pg'),
        port: config.database.embeddedPort,
      });
      cleanup.push(() => embedded.stop());
      databaseUrl = embedded.url;
      logger.log(
        `embedded PostgreSQL (PGlite + pgvector) on 127.0.0.1:${embedded.port}, data in ${join(config.app.dataDir, 'pg')}`,
        'Boot',
      );
    }
    const redis: RedisTarget = await ensureRedis(config, logger);
    if (redis.privateServer) cleanup.push(() => redis.privateServer!.stop());

    const prepared = await prepareDatabase({
      url: databaseUrl,
      embedded: !config.database.url,
      poolSize: 1,
      logQueries: config.database.logQueries,
    });
    if (prepared.migrationsRun.length > 0)
      logger.log(`ran migrations: ${prepared.migrationsRun.join(', ')}`, 'Boot');

    const runtime: Runtime = {
      databaseUrl,
      databaseEmbedded: !config.database.url,
      redisUrl: redis.url,
      redisEmbedded: Boolean(redis.privateServer),
      version: packageVersion(),
      startedAt: new Date(),
    };
    const app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot(config, runtime, options.modules),
      {
        logger,
        abortOnError: false,
        forceCloseConnections: true,
      },
    );
    cleanup.push(() => app.close());
    configureHttp(app, config, runtime, logger);

    let url: string | undefined;
    if (config.app.http) {
      await app.listen(config.app.port, config.app.host);
      const address = app.getHttpServer().address();
      const port = typeof address === 'object' && address ? address.port : config.app.port;
      url = `http://127.0.0.1:${port}`;
    } else {
      await app.init();
    }
    logger.log(
      `Conveyor ${runtime.version} ready in ${Math.round(performance.now() - started)} ms` +
        `${url ? ` at ${config.app.publicUrl ?? url}` : ' (HTTP off)'}; database ${runtime.databaseEmbedded ? 'embedded' : redact(databaseUrl)}, ` +
        `redis ${redact(runtime.redisUrl)}, LLM ${config.llm.mode}`,
      'Boot',
    );
    let stopping: Promise<void> | undefined;
    return { app, config, runtime, logger, url, stop: () => (stopping ??= stopAll()) };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function defaultLogger(config: AppConfig): AppLogger {
  return new AppLogger(config.app.log.level, AppLogger.formatFor(config.app.log.format));
}

/** Pages, static files, request ids, errors, validation and the OpenAPI document. */
function configureHttp(
  app: NestExpressApplication,
  config: AppConfig,
  runtime: Runtime,
  logger: AppLogger,
): void {
  const root = projectRoot();
  const views = new HandlebarsViews(join(root, 'views'), config.app.env === 'production');
  app.engine('hbs', views.expressEngine());
  app.setBaseViewsDir(join(root, 'views'));
  app.setViewEngine('hbs');
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(requestLogging(logger));
  app.use(securityHeaders(config));
  app.useStaticAssets(join(root, 'public'), {
    prefix: '/static/',
    maxAge: config.app.env === 'production' ? '1h' : 0,
  });
  installAuthentication(app, config, logger);
  app.use('/api/upload-image', imageJsonBody(config.conversations.imageMaxBytes));
  app.use(pageShell(app.get(WebRegistry), config, runtime.version));
  app.useGlobalFilters(new HttpErrorFilter());
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  SwaggerModule.setup('docs', app, buildOpenApi(app, runtime.version), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Conveyor API',
  });
}

export function buildOpenApi(app: NestExpressApplication, version: string): OpenAPIObject {
  const document = new DocumentBuilder()
    .setTitle('Conveyor API')
    .setDescription(
      'Uploads and chat messages into AI results. Every route except /health and /docs needs an API key, ' +
        'sent as `X-API-Key: <key>` or `Authorization: Bearer <key>`.',
    )
    .setVersion(version)
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Your API key' },
      'api-key',
    )
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'Your API key as a bearer token' },
      'bearer',
    )
    // Either scheme, on every operation; @Public() routes override it with `security: []`.
    .addSecurityRequirements('api-key')
    .addSecurityRequirements('bearer')
    .build();
  return SwaggerModule.createDocument(app, document);
}
