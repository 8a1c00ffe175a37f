import { Injectable } from '@nestjs/common';
import { HandlesTask, SendEmail, type SendEmailPayload, type SendEmailResult } from '@app/tasks';
import { MailerService } from '../services/mailer.service.js';

@Injectable()
export class EmailHandlers {
  constructor(private readonly mailer: MailerService) {}

  @HandlesTask(SendEmail)
  async sendEmail({ to, subject, body }: SendEmailPayload): Promise<SendEmailResult> {
    await this.mailer.send({ to, subject, text: body });
    return { status: 'success', to };
  }
}
