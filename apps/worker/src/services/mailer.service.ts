import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PermanentTaskError } from '@app/tasks';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { MailConfig } from '../config/mail.config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** An HTML alternative to `text` (the text stays for clients that show plain text). */
  html?: string;
}

/** SMTP reply codes 5xx mean the server refused for good: retrying the same message cannot help. */
function isPermanentSmtpError(error: unknown): boolean {
  const code = (error as { responseCode?: number }).responseCode;
  return typeof code === 'number' && code >= 500;
}

/**
 * Sends mail through nodemailer over `SMTP_URL`, or writes it to the outbox folder when no SMTP server is set.
 * Connection failures and 4xx replies throw plain errors (the task retries); 5xx replies are permanent.
 */
@Injectable()
export class MailerService {
  private readonly logger = new Logger(MailerService.name);
  private readonly config: MailConfig;
  private readonly transport: Transporter;

  constructor(@Inject(ConfigService) config: ConfigService) {
    this.config = config.getOrThrow<MailConfig>('mail');
    this.transport = this.config.smtpUrl
      ? nodemailer.createTransport(this.config.smtpUrl)
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    if (!this.config.smtpUrl)
      this.logger.log(`SMTP_URL unset: mail goes to ${resolve(this.config.outboxDir)}`);
  }

  /** Returns the message id the server (or the outbox) gave the mail. */
  async send(mail: OutgoingMail): Promise<string> {
    try {
      const info = (await this.transport.sendMail({ from: this.config.from, ...mail })) as {
        messageId: string;
        message?: Buffer;
      };
      if (!this.config.smtpUrl && info.message) await this.writeToOutbox(info.messageId, info.message);
      return info.messageId;
    } catch (error) {
      if (isPermanentSmtpError(error))
        throw new PermanentTaskError(`SMTP refused: ${(error as Error).message}`);
      throw error;
    }
  }

  private async writeToOutbox(messageId: string, message: Buffer): Promise<void> {
    await mkdir(this.config.outboxDir, { recursive: true });
    const file = `${Date.now()}-${messageId.replace(/[^A-Za-z0-9.@-]/g, '')}.eml`;
    await writeFile(join(this.config.outboxDir, file), message);
  }
}
