import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { PRODUCER_REDIS, warnIfRedisEvicts } from '@app/tasks';
import type { Redis } from 'ioredis';
import { ApiModule } from './api.module.js';
import { JSON_BODY_LIMIT, type ApiConfig } from './config/api.config.js';
import { StrictValidationPipe } from './validation/strict-validation.pipe.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, { bodyParser: false });
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.useGlobalPipes(new StrictValidationPipe());
  // no ETag: every answer is about a task whose state moves on, and hashing each body costs more than it saves
  app.set('etag', false);
  app.disable('x-powered-by');
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
  await app.listen(config.port);
  logger.log(`listening on ${await app.getUrl()} (OpenAPI at /docs)`);
}

void bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
