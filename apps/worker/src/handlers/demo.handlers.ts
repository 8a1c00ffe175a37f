import { Injectable } from '@nestjs/common';
import {
  Add,
  chord,
  Fail,
  Flaky,
  PermanentTaskError,
  s,
  si,
  Sleep,
  SumInParallel,
  type FailPayload,
  type FlakyPayload,
  type SleepPayload,
  type SumInParallelPayload,
  CpuBurn,
  GenerateReport,
  HandlesTask,
  LongRunningTask,
  ProcessData,
  ProcessItem,
  Xsum,
  type AddPayload,
  type CpuBurnPayload,
  type GenerateReportPayload,
  type GenerateReportResult,
  type LongRunningTaskPayload,
  type LongRunningTaskResult,
  type ProcessDataPayload,
  type ProcessDataResult,
  type ProcessItemPayload,
  type ProcessItemResult,
  type TaskContext,
  type XsumPayload,
} from '@app/tasks';
import { setTimeout as sleep } from 'node:timers/promises';

/** The original note's demonstration tasks. */
@Injectable()
export class DemoHandlers {
  @HandlesTask(Add)
  add({ x, y }: AddPayload): number {
    return x + y;
  }

  @HandlesTask(Xsum)
  xsum({ numbers }: XsumPayload): number {
    return numbers.reduce((sum, n) => sum + n, 0);
  }

  @HandlesTask(ProcessData)
  processData({ data }: ProcessDataPayload): ProcessDataResult {
    return { processed: true, count: Object.keys(data).length };
  }

  @HandlesTask(ProcessItem)
  processItem({ item }: ProcessItemPayload): ProcessItemResult {
    const values = Object.values(item);
    const id = item.id;
    return {
      item_id: typeof id === 'string' || typeof id === 'number' ? id : null,
      processed: true,
      fields: values.length,
      total: values.reduce<number>((sum, v) => (typeof v === 'number' ? sum + v : sum), 0),
    };
  }

  @HandlesTask(GenerateReport)
  generateReport({ results, title }: GenerateReportPayload): GenerateReportResult {
    return {
      title: title ?? 'Report',
      items: results.length,
      processed: results.filter((r) => r.processed === true).length,
      fields: results.reduce((sum, r) => sum + (Number(r.fields) || 0), 0),
      total: results.reduce((sum, r) => sum + (Number(r.total) || 0), 0),
      item_ids: results.map((r) => r.item_id ?? null),
    };
  }

  @HandlesTask(LongRunningTask)
  async longRunningTask(
    { total_steps }: LongRunningTaskPayload,
    ctx: TaskContext,
  ): Promise<LongRunningTaskResult> {
    for (let step = 1; step <= total_steps; step++) {
      await sleep(1000, undefined, { signal: ctx.signal });
      await ctx.progress(step, total_steps);
    }
    return { status: 'completed', result: total_steps };
  }

  @HandlesTask(CpuBurn)
  cpuBurn({ seconds }: CpuBurnPayload): { burned: number } {
    const until = performance.now() + seconds * 1000;
    while (performance.now() < until) {
      // deliberately never yields
    }
    return { burned: seconds };
  }

  @HandlesTask(Sleep)
  async sleep({ seconds, value }: SleepPayload, ctx: TaskContext): Promise<unknown> {
    await sleep(seconds * 1000, undefined, { signal: ctx.signal });
    return value ?? seconds;
  }

  @HandlesTask(Fail)
  async fail({ message, seconds }: FailPayload, ctx: TaskContext): Promise<never> {
    if (seconds) await sleep(seconds * 1000, undefined, { signal: ctx.signal });
    throw new PermanentTaskError(message);
  }

  @HandlesTask(Flaky)
  flaky({ failures, value }: FlakyPayload, ctx: TaskContext): unknown {
    if (ctx.retries < failures) throw new Error(`flaky: attempt ${ctx.retries + 1} of ${failures + 1} fails`);
    return value ?? ctx.retries;
  }

  @HandlesTask(SumInParallel)
  sumInParallel({ numbers }: SumInParallelPayload, ctx: TaskContext): number {
    return ctx.replace(
      chord(
        numbers.map((x) => si(Add, { x, y: 0 })),
        s(Xsum),
      ),
    );
  }
}
