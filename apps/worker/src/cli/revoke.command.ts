import { NestFactory } from '@nestjs/core';
import { TaskClient } from '@app/tasks';
import { ProducerModule } from './producer.module.js';

/** `codehubot revoke <task_id> [--terminate]`: the same revoke as the API's, from the command line. */
export async function runRevoke(
  taskId: string,
  flags: { terminate?: boolean; json?: boolean },
): Promise<number> {
  const app = await NestFactory.createApplicationContext(ProducerModule, { logger: ['error', 'warn'] });
  try {
    const status = await app.get(TaskClient).revoke(taskId, flags.terminate ?? false);
    if (!status) {
      process.stderr.write(`No task ${taskId}\n`);
      return 2;
    }
    process.stdout.write(
      flags.json ? `${JSON.stringify(status)}\n` : `${status.task_id}  ${status.name}  ${status.state}\n`,
    );
    return 0;
  } finally {
    await app.close();
  }
}
