import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import fastifyMultipart from '@fastify/multipart';
import { DOCUMENTS_CONFIG, type DocumentsConfig } from '@app/documents';
import { PRODUCER_REDIS, warnIfRedisEvicts } from '@app/tasks';
import type { Redis } from 'ioredis';
import { ApiModule } from './api.module.js';
import { JSON_BODY_LIMIT, requestTimeoutOptions, type ApiConfig } from './config/api.config.js';
import { acceptEmptyJsonBodies } from './validation/empty-json-body.js';
import { StrictValidationPipe } from './validation/strict-validation.pipe.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule,
    new FastifyAdapter({ bodyLimit: JSON_BODY_LIMIT, ...requestTimeoutOptions() }),
    // Fastify's own JSON parser, wrapped below, instead of Nest's
    { bodyParser: false },
  );
  acceptEmptyJsonBodies(app.getHttpAdapter().getInstance());
  const documents = app.get<DocumentsConfig>(DOCUMENTS_CONFIG);
  // one file per upload, held in memory up to UPLOAD_MAX_BYTES; reading past that answers 413
  await app.register(fastifyMultipart, {
    limits: { fileSize: documents.uploadMaxBytes, files: 1, fields: 10, fieldSize: 64 * 1024 },
  });
  app.useGlobalPipes(new StrictValidationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CodeHubot Tasks')
      .setDescription('Asynchronous tasks for the CodeHubot education platform: submit, watch, revoke.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'One of API_KEYS' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  const config = app.get(ConfigService).getOrThrow<ApiConfig>('api');
  const logger = new Logger('Api');
  if (config.apiKeys.length === 0) {
    logger.warn('API_KEYS is not set: local development mode, only requests from this machine are served');
  }
  await warnIfRedisEvicts(app.get<Redis>(PRODUCER_REDIS), logger);
  // every interface, as Node's own servers do (Fastify alone would listen on loopback only)
  await app.listen(config.port, '0.0.0.0');
  logger.log(`listening on ${await app.getUrl()} (OpenAPI at /docs)`);
}

void bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
