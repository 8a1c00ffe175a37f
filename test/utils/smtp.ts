import { setTimeout as sleep } from 'node:timers/promises';
import { SMTPServer, type SMTPServerError } from 'smtp-server';

/** One message as the server received it, with the parts tests assert on decoded. */
export interface ReceivedMail {
  /** MAIL FROM of the envelope. */
  from: string;
  /** RCPT TO addresses the server accepted for this message. */
  to: string[];
  /** Header fields by lower-case name, unfolded and with RFC 2047 encoded words decoded. */
  headers: Map<string, string>;
  subject: string;
  /** The text body, transfer encoding removed, line ends normalised to `\n`. */
  text: string;
  raw: string;
}

/** One `RCPT TO` the server answered: accepted, or rejected with a reply code. */
export interface RcptAttempt {
  address: string;
  code: number;
}

/**
 * Decides the reply to a `RCPT TO`: a reply code ≥ 400 rejects it (4xx temporary, 5xx permanent), undefined
 * accepts. `attempt` counts the `RCPT TO`s for that address so far, starting at 1.
 */
export type RcptPolicy = (address: string, attempt: number) => number | undefined;

export interface TestSmtpOptions {
  rcpt?: RcptPolicy;
  /** Require this login (AUTH PLAIN/LOGIN, allowed without TLS): a wrong one is refused with 535. */
  auth?: { user: string; pass: string };
}

function decodeBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  const qp = text.replace(/_/g, ' ');
  return decodeQuotedPrintable(qp);
}

function decodeQuotedPrintable(text: string): Buffer {
  const soft = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047 `=?charset?B|Q?…?=` words (UTF-8 only, which is what nodemailer writes). */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_all, _charset: string, encoding: string, text: string) =>
      decodeBytes(encoding, text).toString('utf8'),
    );
}

/** Splits a raw RFC 5322 message into decoded headers and text body (single-part messages). */
export function parseMail(raw: string): { headers: Map<string, string>; subject: string; text: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const rawBody = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
    }
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const body =
    encoding === 'base64'
      ? Buffer.from(rawBody.replace(/\s+/g, ''), 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? decodeQuotedPrintable(rawBody).toString('utf8')
        : rawBody;
  return { headers, subject: headers.get('subject') ?? '', text: body.replace(/\r\n/g, '\n') };
}

/**
 * A real SMTP server (the `smtp-server` package) on a free loopback port, in the test process: plain text, no
 * TLS, no authentication required. It keeps every message and every `RCPT TO` it answered, and can refuse
 * recipients with a chosen reply code to play a bouncing or a temporarily unavailable mail server.
 */
export class TestSmtpServer {
  readonly messages: ReceivedMail[] = [];
  readonly rcptAttempts: RcptAttempt[] = [];
  private readonly server: SMTPServer;
  port = 0;

  private constructor(options: TestSmtpOptions) {
    const policy = options.rcpt ?? (() => undefined);
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !options.auth,
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) => {
        const login = options.auth;
        if (login && auth.username === login.user && auth.password === login.pass) {
          return callback(null, { user: auth.username });
        }
        callback(new Error('Invalid username or password'));
      },
      logger: false,
      onRcptTo: (address, _session, callback) => {
        const attempt = this.rcptAttempts.filter((a) => a.address === address.address).length + 1;
        const code = policy(address.address, attempt);
        this.rcptAttempts.push({ address: address.address, code: code ?? 250 });
        if (code === undefined || code < 400) return callback();
        const error: SMTPServerError = new Error(
          code >= 500 ? `Recipient ${address.address} rejected` : `Try again later`,
        );
        error.responseCode = code;
        callback(error);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', callback);
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          this.messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            ...parseMail(raw),
          });
          callback();
        });
      },
    });
  }

  static async start(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer(options);
    await new Promise<void>((resolve, reject) => {
      smtp.server.server.once('error', reject);
      smtp.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = smtp.server.server.address();
    smtp.port = typeof address === 'object' && address ? address.port : 0;
    return smtp;
  }

  /** What a worker's `SMTP_URL` should say to send here. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Messages received for one recipient. */
  messagesTo(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.includes(address));
  }

  /** Waits until `count` messages for `address` have arrived; fails with what did arrive on timeout. */
  async waitForMessages(address: string, count = 1, timeoutMs = 20_000): Promise<ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messagesTo(address).length < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `${count} message(s) to ${address} never arrived; got: ${JSON.stringify(this.messages.map((m) => m.to))}`,
        );
      }
      await sleep(25);
    }
    return this.messagesTo(address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
