/**
 * The baseline of the REST measurement: a bare NestJS app (express, Nest's default; Fastify with
 * BENCH_BARE_PLATFORM=fastify) whose one route only calls `Queue.add`. No auth, no validation, no status
 * read-back. `node dist/bench/bare-api.js` with PORT, BENCH_REDIS_URL, BENCH_PREFIX and BENCH_QUEUE; prints
 * "bare api listening" once it serves.
 */
import 'reflect-metadata';
import {
  Body,
  Controller,
  HttpCode,
  Inject,
  Module,
  Param,
  Post,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';

const QUEUE = Symbol('BARE_QUEUE');

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

@Controller('tasks')
class BareController implements OnApplicationShutdown {
  constructor(@Inject(QUEUE) private readonly queue: Queue) {}

  @Post(':name')
  @HttpCode(202)
  async submit(@Param('name') name: string, @Body() body: object): Promise<{ task_id: string }> {
    const job = await this.queue.add(name, body);
    return { task_id: job.id ?? '' };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}

@Module({
  controllers: [BareController],
  providers: [
    {
      provide: QUEUE,
      useFactory: () =>
        new Queue(env('BENCH_QUEUE'), {
          connection: { url: env('BENCH_REDIS_URL') },
          prefix: env('BENCH_PREFIX'),
        }),
    },
  ],
})
class BareModule {}

// BENCH_BARE_PLATFORM=fastify: the same route on Nest's Fastify platform (the one our API runs on), for context
const logger: ('error' | 'warn')[] = ['error', 'warn'];
const app =
  process.env.BENCH_BARE_PLATFORM === 'fastify'
    ? await NestFactory.create(BareModule, new FastifyAdapter(), { logger })
    : await NestFactory.create(BareModule, { logger });
app.enableShutdownHooks();
await app.listen(Number(env('PORT')), '127.0.0.1');
process.stdout.write('bare api listening\n');
