import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  body: Record<string, unknown>;
  /** The status this receiver answered. */
  status: number;
}

/**
 * A local HTTP server that takes JSON POSTs (an alert webhook) and keeps them; the first `failFirst` are
 * answered 500, the rest 200.
 */
export class WebhookReceiver {
  readonly posts: ReceivedPost[] = [];
  private constructor(
    private readonly server: Server,
    private failFirst: number,
  ) {}

  static async start(failFirst = 0): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server, failFirst);
    server.on('request', (request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        const status = receiver.failFirst-- > 0 ? 500 : 200;
        receiver.posts.push({ body: JSON.parse(text) as Record<string, unknown>, status });
        response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'try again');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/alerts`;
  }

  /** Notices delivered (answered 200) for this alert and subject, in order. */
  delivered(alert: string, subject: string): Record<string, unknown>[] {
    return this.posts
      .filter((p) => p.status === 200 && p.body.alert === alert && p.body.subject === subject)
      .map((p) => p.body);
  }

  stop(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }
}
