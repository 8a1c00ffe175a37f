/** One JSON log line as the apps write it (LOG_FORMAT=json). */
export interface LogLine {
  time: string;
  level: string;
  msg: string;
  context?: string;
  task_id?: string;
  task_name?: string;
  queue?: string;
  worker?: string;
  request_id?: string;
  err?: { type?: string; message?: string; stack?: string };
  [field: string]: unknown;
}

/** The JSON log lines of a process's output (other lines, e.g. a start-up failure on stderr, are skipped). */
export function logLines(output: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const raw of output.split('\n')) {
    const line = parseLogLine(raw);
    if (line) lines.push(line);
  }
  return lines;
}

export function parseLogLine(raw: string): LogLine | undefined {
  if (!raw.startsWith('{')) return undefined;
  try {
    const line = JSON.parse(raw) as LogLine;
    return typeof line.msg === 'string' && typeof line.level === 'string' ? line : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A line as a person reads it: a JSON log line as `LEVEL [context] message` (and its error's stack), any
 * other line as it is. What tests match their patterns against, whatever LOG_FORMAT the app used.
 */
export function readableLine(raw: string): string {
  const line = parseLogLine(raw);
  if (!line) return raw;
  const context = line.context ? `[${line.context}] ` : '';
  const stack = line.err?.stack ? `\n${line.err.stack}` : '';
  return `${line.level.toUpperCase()} ${context}${line.msg}${stack}`;
}

/** Waits until a process has written a JSON log line that `match` accepts; fails with its lines on timeout. */
export async function waitForLogLine(
  process: { readonly output: string },
  match: (line: LogLine) => boolean,
  timeoutMs = 30_000,
): Promise<LogLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = logLines(process.output).find(match);
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `no such log line in time; lines:\n${logLines(process.output)
          .map((l) => JSON.stringify(l))
          .join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
