import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

/** Nest's start-up chatter (a line per module, route and controller): kept, at debug. */
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** A stack trace as Nest passes it to `error(message, stack, context)`. */
const STACK = /\n\s+at /;

/**
 * Nest's `LoggerService` over pino: every `new Logger(context)` of the app writes JSON (or pretty) lines with
 * `context`, one pino child per context, made on first use.
 */
export class PinoNestLogger implements LoggerService {
  private readonly children = new Map<string, Logger>();

  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = contextOf(params);
    this.write(context && FRAMEWORK_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const context = contextOf(params);
    const logger = context === undefined ? this.logger : this.child(context);
    if (!logger.isLevelEnabled(level)) return;
    const rest = context === undefined ? params : params.slice(0, -1);
    const stack = rest.find((p): p is string => typeof p === 'string' && STACK.test(p));
    if (message instanceof Error) {
      logger[level]({ err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      logger[level](message);
    } else if (stack) {
      logger[level]({ err: { message: String(message), stack } }, String(message));
    } else {
      logger[level](String(message));
    }
  }

  private child(context: string): Logger {
    let child = this.children.get(context);
    if (!child) {
      child = this.logger.child({ context });
      this.children.set(context, child);
    }
    return child;
  }
}

/** Nest passes the context last, as a string (`Logger` instances always add theirs). */
function contextOf(params: unknown[]): string | undefined {
  const last = params.at(-1);
  return typeof last === 'string' && !STACK.test(last) ? last : undefined;
}
