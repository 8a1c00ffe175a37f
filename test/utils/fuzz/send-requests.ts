import type { FuzzRequest } from './openapi-requests.js';

export interface FuzzAnswer {
  request: FuzzRequest;
  /** The HTTP status, or 0 when no answer came (connection dropped, or none within the time allowed). */
  status: number;
  /** The answer's body, or why there was none. */
  text: string;
}

/** Sends every request to `baseUrl`, `concurrency` at a time, each allowed `timeoutMs`; answers in order. */
export async function sendRequests(
  baseUrl: string,
  requests: readonly FuzzRequest[],
  {
    concurrency,
    timeoutMs,
    headers,
  }: { concurrency: number; timeoutMs: number; headers: Record<string, string> },
): Promise<FuzzAnswer[]> {
  const answers: FuzzAnswer[] = new Array<FuzzAnswer>(requests.length);
  let next = 0;
  const sendOne = async (request: FuzzRequest): Promise<FuzzAnswer> => {
    try {
      const response = await fetch(`${baseUrl}${request.url}`, {
        method: request.method,
        headers: { ...headers, ...request.headers },
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { request, status: response.status, text: await response.text() };
    } catch (error) {
      return { request, status: 0, text: `no answer: ${(error as Error).message}` };
    }
  };
  const lane = async (): Promise<void> => {
    while (next < requests.length) {
      const i = next++;
      answers[i] = await sendOne(requests[i]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return answers;
}
