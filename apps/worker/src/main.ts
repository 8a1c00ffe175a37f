import 'reflect-metadata';
import { checkSettings } from '@app/config';
import { Command, InvalidArgumentError } from 'commander';
import { INSPECT_WHAT, runInspect, runPurge, runRevoke, type InspectWhat } from './cli/control.commands.js';
import { LOG_LEVELS } from '@app/tasks';
import { runBeat } from './cli/beat.command.js';
import { exportFlags, runWorker, type WorkerFlags } from './cli/worker.command.js';
import { BEAT_SETTINGS, CONTROL_SETTINGS, WORKER_SETTINGS } from './config/settings.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number ≥ 1');
  return n;
}

function logLevel(value: string): string {
  if (!(LOG_LEVELS as readonly string[]).includes(value.toLowerCase()))
    throw new InvalidArgumentError(`must be one of ${LOG_LEVELS.join(', ')}`);
  return value;
}

/** `codehubot`: the one command line of the system, like `celery`. */
const program = new Command('codehubot')
  .description('CodeHubot Tasks: worker and control commands')
  .showHelpAfterError()
  // every bad setting of the command's process in one message, before anything starts
  .hook('preAction', (_program, command) => {
    if (command.name() === 'worker') exportFlags(command.opts<WorkerFlags>());
    const name = command.name();
    checkSettings(name === 'worker' ? WORKER_SETTINGS : name === 'beat' ? BEAT_SETTINGS : CONTROL_SETTINGS);
  });

program
  .command('worker', { isDefault: true })
  .description('consume queues and run tasks (the default command)')
  .option('-Q, --queues <list>', 'comma-separated queues to consume (WORKER_QUEUES)')
  .option('-c, --concurrency <n>', 'tasks run at once (WORKER_CONCURRENCY)', positiveInt)
  .option('-P, --pool <kind>', 'threads (task code off the event loop, hard limits) or inline (WORKER_POOL)')
  .option('--pool-size <n>', 'executor threads (WORKER_POOL_SIZE)', positiveInt)
  .option(
    '--max-tasks-per-child <n>',
    'tasks before an executor thread is replaced (WORKER_MAX_TASKS_PER_CHILD)',
    positiveInt,
  )
  .option(
    '--max-memory-per-child <mib>',
    'heap ceiling of an executor thread (WORKER_MAX_MEMORY_PER_CHILD)',
    positiveInt,
  )
  .option('-n, --name <name>', 'worker name shown by inspect (default host:pid)')
  .option('-l, --loglevel <level>', `${LOG_LEVELS.join('|')} (LOG_LEVEL)`, logLevel)
  .option('-f, --logfile <path>', 'append the logs to this file instead of stdout (LOG_FILE)')
  .option('-B, --beat', "also queue the schedules' ticks (as `codehubot beat`; any number of them may run)")
  .action((flags: WorkerFlags) => runWorker(flags));

program
  .command('beat')
  .description('queue the ticks of every schedule, once each whatever the number of beats running')
  .action(() => runBeat());

program
  .command('revoke <task_id>')
  .description('revoke a task: it never runs; with --terminate a running one is stopped')
  .option('--terminate', 'stop it if it is running')
  .option('--json', 'print JSON')
  .action(async (taskId: string, flags: { terminate?: boolean; json?: boolean }) => {
    process.exitCode = await runRevoke(taskId, flags.terminate ?? false, flags.json ?? false);
  });

program
  .command('inspect <what>')
  .description(`what the live workers do: ${INSPECT_WHAT.join('|')}`)
  .option('--json', 'print JSON')
  .action(async (what: string, flags: { json?: boolean }) => {
    if (!(INSPECT_WHAT as readonly string[]).includes(what)) {
      throw new InvalidArgumentError(`inspect takes one of ${INSPECT_WHAT.join(', ')}`);
    }
    process.exitCode = await runInspect(what as InspectWhat, flags.json ?? false);
  });

program
  .command('purge')
  .description('remove waiting tasks (they never run and read REVOKED); every queue unless --queue')
  .option('-Q, --queue <name>', 'only this queue')
  .option('--json', 'print JSON')
  .action(async (flags: { queue?: string; json?: boolean }) => {
    process.exitCode = await runPurge(flags.queue, flags.json ?? false);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
