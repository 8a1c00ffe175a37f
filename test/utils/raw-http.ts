import { connect } from 'node:net';

export interface RawExchange {
  /** What the server sent, as text. */
  response: string;
  /** Whether the server closed the connection before `timeoutMs`. */
  closed: boolean;
}

/**
 * Writes `request` as it is (no client library in between: it may be a lie, such as a body shorter than its
 * Content-Length) on a new loopback connection, then reads until the server closes it or `timeoutMs` passes.
 */
export function rawExchange(port: number, request: string | Buffer, timeoutMs: number): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let response = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ response, closed: false });
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ response, closed: true });
    });
  });
}
