import { registerAs } from '@nestjs/config';
import { validateEnv } from '@app/config';
import { IsEmail, IsOptional, IsString, Matches } from 'class-validator';

class MailEnv {
  @IsOptional()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must start with smtp:// or smtps://' })
  SMTP_URL?: string;

  @IsEmail({ require_tld: false }) MAIL_FROM: string = 'codehubot@localhost';
  @IsString() MAIL_OUTBOX_DIR: string = './var/outbox';
}

export interface MailConfig {
  /** Unset: mail is written as .eml files to `outboxDir` instead of being sent. */
  smtpUrl?: string;
  from: string;
  outboxDir: string;
}

export function loadMailConfig(env: NodeJS.ProcessEnv = process.env): MailConfig {
  const s = validateEnv(MailEnv, env);
  return { smtpUrl: s.SMTP_URL, from: s.MAIL_FROM, outboxDir: s.MAIL_OUTBOX_DIR };
}

export const mailConfig = registerAs('mail', () => loadMailConfig());
