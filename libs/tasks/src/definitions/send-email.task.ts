import { IsEmail, IsString, MaxLength } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class SendEmailPayload {
  @IsEmail() to!: string;
  @IsString() @MaxLength(998) subject!: string;
  @IsString() @MaxLength(1_000_000) body!: string;
}

export interface SendEmailResult {
  status: 'success';
  to: string;
}

/**
 * `send_email(to, subject, body)` over SMTP (or to the outbox folder when `SMTP_URL` is unset). Connection
 * errors are temporary: retried 3 times, `TASK_DEFAULT_RETRY_DELAY` apart; a rejected address is permanent.
 */
export const SendEmail = defineTask<SendEmailPayload, SendEmailResult>({
  name: 'tasks.email.send_email',
  params: ['to', 'subject', 'body'],
  payload: SendEmailPayload,
  // it only awaits I/O: a thread would add a hop and protect nothing
  isolation: 'none',
  retry: { maxRetries: 3 },
  description: 'Sends one e-mail.',
});
