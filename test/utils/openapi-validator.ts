import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';

/** The document's own routes (the UI and its assets, the JSON): not operations of the document. */
const DOCUMENT_ROUTES = /^\/docs(?:-json|\/.*)?$/;

const DOCUMENT_ID = 'openapi.json';

/** What a response is checked on: its status, its media type and, unless it is a stream, its body. */
export interface ObservedResponse {
  status: number;
  contentType: string | null;
  /** The body as text; undefined for a stream (only the status and the media type are checked). */
  body?: string;
}

interface Operation {
  template: string;
  pattern: RegExp;
  params: number;
  method: string;
  operation: OperationObject;
}

const escapePointer = (segment: string): string =>
  encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));

const mediaTypeOf = (contentType: string | null): string =>
  (contentType ?? '').split(';')[0].trim().toLowerCase();

const isJson = (mediaType: string): boolean =>
  mediaType === 'application/json' || mediaType.endsWith('+json');

export const isEventStream = (contentType: string | null): boolean =>
  mediaTypeOf(contentType) === 'text/event-stream';

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map(
      (e) =>
        `${e.instancePath || '(body)'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    )
    .join('; ');
}

/**
 * The API's OpenAPI 3.0 document (as `/docs-json` serves it), checking answers against it: the operation must
 * be in it, the status declared for that operation, the media type declared for that status, and the body
 * valid under that media type's schema (Ajv, with OpenAPI's `nullable`, and the formats). Any mismatch throws
 * an error naming the operation, the status and what is wrong.
 */
export class OpenApiContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly operations: Operation[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(readonly document: OpenAPIObject) {
    if (!/^3\.0\./.test(document.openapi)) {
      throw new Error(
        `OpenAPI ${document.openapi}: this validator reads 3.0 documents (nullable, no type null)`,
      );
    }
    addFormats.default(this.ajv);
    this.ajv.addSchema(document, DOCUMENT_ID);
    for (const [template, item] of Object.entries(document.paths)) {
      const names = template.match(/\{[^}]+\}/g) ?? [];
      const source = template
        .split(/\{[^}]+\}/)
        .map((literal) => literal.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
        .join('([^/]+)');
      for (const [method, operation] of Object.entries(item)) {
        if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
        this.operations.push({
          template,
          pattern: new RegExp(`^${source}$`),
          params: names.length,
          method: method.toUpperCase(),
          operation: operation as OperationObject,
        });
      }
    }
    // a literal segment wins over a parameter: /documents/search before /documents/{id}
    this.operations.sort((a, b) => a.params - b.params);
  }

  static async fetch(baseUrl: string): Promise<OpenApiContract> {
    const response = await fetch(`${baseUrl}/docs-json`);
    if (response.status !== 200) throw new Error(`GET /docs-json answered ${response.status}`);
    return new OpenApiContract((await response.json()) as OpenAPIObject);
  }

  /** Whether the request is to one of the document's own routes, which the document does not describe. */
  static describesItself(path: string): boolean {
    return DOCUMENT_ROUTES.test(path.split('?')[0]);
  }

  /** Throws unless the answer to `method path` is one the document declares. */
  check(method: string, path: string, response: ObservedResponse): void {
    const pathname = path.split('?')[0];
    const found = this.operations.find((o) => o.method === method.toUpperCase() && o.pattern.test(pathname));
    if (!found) throw new Error(`OpenAPI: no operation ${method.toUpperCase()} ${pathname} in the document`);
    const { operation, template } = found;
    const where = `${found.method} ${template} (${operation.operationId ?? '?'}) answered ${response.status}`;
    const statusKey = [String(response.status), `${String(response.status)[0]}XX`, 'default'].find(
      (key) => key in operation.responses,
    );
    if (!statusKey) {
      const declared = Object.keys(operation.responses).join(', ');
      throw new Error(`OpenAPI: ${where}, a status the document does not declare (declared: ${declared})`);
    }
    const declared = operation.responses[statusKey] as ResponseObject;
    const mediaType = mediaTypeOf(response.contentType);
    const content = declared.content ?? {};
    if (Object.keys(content).length === 0) {
      if (response.body) throw new Error(`OpenAPI: ${where} with a body, where the document declares none`);
      return;
    }
    if (!(mediaType in content)) {
      throw new Error(
        `OpenAPI: ${where} as "${mediaType}", where the document declares ${Object.keys(content).join(', ')}`,
      );
    }
    if (response.body === undefined || !isJson(mediaType)) return;
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      throw new Error(
        `OpenAPI: ${where} as ${mediaType}, but the body is not JSON: ${response.body.slice(0, 300)}`,
      );
    }
    const pointer = [
      'paths',
      template,
      found.method.toLowerCase(),
      'responses',
      statusKey,
      'content',
      mediaType,
    ]
      .map(escapePointer)
      .join('/');
    const validate = this.validatorFor(`${pointer}/schema`);
    if (!validate(body)) {
      throw new Error(
        `OpenAPI: ${where}, a body its schema refuses: ${describeErrors(validate.errors)}\n` +
          `body: ${response.body.slice(0, 1000)}`,
      );
    }
  }

  private validatorFor(pointer: string): ValidateFunction {
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#/${pointer}` });
      this.validators.set(pointer, validate);
    }
    return validate;
  }
}

/**
 * Checks a fetch answer against the contract. A JSON (or any non-stream) body is read from a clone, so the
 * caller still reads the response as usual; a `text/event-stream` is left unread.
 */
export async function checkAnswer(
  contract: OpenApiContract,
  method: string,
  path: string,
  response: Response,
): Promise<void> {
  const contentType = response.headers.get('content-type');
  const body = isEventStream(contentType) ? undefined : await response.clone().text();
  contract.check(method, path, { status: response.status, contentType, body });
}
