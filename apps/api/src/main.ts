import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyMultipart from '@fastify/multipart';
import { DOCUMENTS_CONFIG, type DocumentsConfig } from '@app/documents';
import {
  configureLogging,
  loadLogSettings,
  PinoNestLogger,
  PRODUCER_REDIS,
  startTracingFromEnv,
  stopTracing,
  warnIfRedisEvicts,
} from '@app/tasks';
import { checkSettings, startupFailure } from '@app/config';
import type { Redis } from 'ioredis';
import { ApiModule } from './api.module.js';
import { API_SETTINGS, JSON_BODY_LIMIT, requestTimeoutOptions, type ApiConfig } from './config/api.config.js';
import { installRequestHooks, requestIdOf } from './observability/request-hooks.js';
import { setupOpenApi } from './openapi/document.js';
import { acceptEmptyJsonBodies } from './validation/empty-json-body.js';
import { StrictValidationPipe } from './validation/strict-validation.pipe.js';

async function bootstrap(): Promise<void> {
  // every bad setting in one message, before Nest builds (and logs) anything
  checkSettings(API_SETTINGS);
  const log = configureLogging(loadLogSettings());
  startTracingFromEnv('codehubot-api');
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule,
    new FastifyAdapter({
      bodyLimit: JSON_BODY_LIMIT,
      ...requestTimeoutOptions(),
      // our request ids: the client's X-Request-Id when fit (Fastify's own option takes any value)
      genReqId: requestIdOf,
      requestIdHeader: false,
    }),
    // Fastify's own JSON parser, wrapped below, instead of Nest's
    { bodyParser: false, logger: new PinoNestLogger(log) },
  );
  const fastify = app.getHttpAdapter().getInstance();
  acceptEmptyJsonBodies(fastify);
  installRequestHooks(fastify, log.child({ context: 'HTTP' }));
  // the last spans are exported when the app closes (SIGTERM)
  fastify.addHook('onClose', () => stopTracing());
  const documents = app.get<DocumentsConfig>(DOCUMENTS_CONFIG);
  // one file per upload, held in memory up to UPLOAD_MAX_BYTES; reading past that answers 413
  await app.register(fastifyMultipart, {
    limits: { fileSize: documents.uploadMaxBytes, files: 1, fields: 10, fieldSize: 64 * 1024 },
  });
  app.useGlobalPipes(new StrictValidationPipe());
  app.enableShutdownHooks();

  setupOpenApi(app);

  const config = app.get(ConfigService).getOrThrow<ApiConfig>('api');
  const logger = new Logger('Api');
  if (config.apiKeys.length === 0) {
    logger.warn(
      'API_KEYS is not set: local development mode, bound to the loopback interface (requests from this machine only)',
    );
  }
  await warnIfRedisEvicts(app.get<Redis>(PRODUCER_REDIS), logger);
  // HOST: all interfaces by default with keys, loopback without (see loadApiConfig)
  await app.listen(config.port, config.host);
  // the addresses actually bound, not a URL made up for them
  const bound = app.getHttpAdapter().getInstance().addresses();
  const urls = bound.map((a) =>
    typeof a === 'string' ? a : `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`,
  );
  logger.log(`listening on ${urls.join(', ')} (OpenAPI at /docs)`);
}

void bootstrap().catch((error: unknown) => {
  process.stderr.write(`${startupFailure(error)}\n`);
  process.exit(1);
});
