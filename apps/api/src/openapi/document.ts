import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  DocumentBuilder,
  getSchemaPath,
  SwaggerModule,
  type HeaderObject,
  type OpenAPIObject,
  type OperationObject,
  type PathItemObject,
  type ReferenceObject,
  type SchemaObject,
} from '@nestjs/swagger';
import {
  AUTH_ERRORS,
  BODY_BY_MEDIA_TYPE_EXTENSION,
  ErrorResponseDto,
  PUBLIC_EXTENSION,
} from './decorators.js';
import { WORKFLOW_SCHEMAS } from '../workflows/workflow-spec.schema.js';

/**
 * Path segments shared by routes whose parameter has another name on each (`POST /tasks/{name}`, `GET
 * /tasks/{task_id}`): OpenAPI 3 forbids paths that differ only in parameter names, so the document gives the
 * segment one name; each operation describes what it takes there.
 */
const SHARED_PATHS = ['/tasks/{task}'];

/** Every answer carries the request's id (`X-Request-Id`): the client's when it sent a fit one. */
const REQUEST_ID_HEADER: HeaderObject = {
  description:
    "The request's id: the request's own X-Request-Id when it sent one (printable ASCII, no spaces, at most 128 characters), else a new UUID. Log lines about the request, and about the tasks it queued, carry it as request_id.",
  schema: { type: 'string', maxLength: 128 },
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function operationsOf(item: PathItemObject): OperationObject[] {
  return METHODS.map((method) => item[method]).filter((op): op is OperationObject => op !== undefined);
}

const paramNames = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
const shapeOf = (path: string): string => path.replace(/\{[^}]+\}/g, '{}');

/**
 * Renames the parameters of every path shaped like `shared` to its names and merges their operations under it,
 * where the first of them stood.
 */
function sharePath(document: OpenAPIObject, shared: string): void {
  const names = paramNames(shared);
  const paths: OpenAPIObject['paths'] = {};
  for (const [path, item] of Object.entries(document.paths)) {
    if (shapeOf(path) !== shapeOf(shared)) {
      paths[path] = item;
      continue;
    }
    const renames = new Map(paramNames(path).map((name, i) => [name, names[i]]));
    for (const parameter of operationsOf(item).flatMap((operation) => operation.parameters ?? [])) {
      if ('in' in parameter && parameter.in === 'path') parameter.name = renames.get(parameter.name) ?? '';
    }
    paths[shared] = { ...paths[shared], ...item };
  }
  document.paths = paths;
}

/** A parameter's example, which @nestjs/swagger puts in its schema, also where Dredd and Prism read it. */
function liftExamples(operation: OperationObject): void {
  for (const parameter of operation.parameters ?? []) {
    if (!('in' in parameter) || parameter.example !== undefined) continue;
    const example: unknown =
      parameter.schema && 'example' in parameter.schema ? parameter.schema.example : undefined;
    if (example !== undefined) parameter.example = example;
  }
}

/**
 * The document's own rules, applied once to what @nestjs/swagger produced: `@Public` operations need no key,
 * every other one answers 401; request bodies declared per media type; parameter examples where tools read
 * them; shared path segments named once.
 */
export function finishDocument(document: OpenAPIObject): OpenAPIObject {
  const unauthorized: ReferenceObject = { $ref: getSchemaPath(ErrorResponseDto) };
  for (const item of Object.values(document.paths)) {
    for (const operation of operationsOf(item)) {
      liftExamples(operation);
      for (const response of Object.values(operation.responses)) {
        if (response && 'description' in response) {
          response.headers = {
            ...response.headers,
            'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' },
          };
        }
      }
      const extensions = operation as OperationObject & Record<string, unknown>;
      if (extensions[PUBLIC_EXTENSION]) {
        operation.security = [];
        delete extensions[PUBLIC_EXTENSION];
      } else {
        operation.responses['401'] ??= {
          description: AUTH_ERRORS[401] ?? '',
          content: { 'application/json': { schema: unauthorized } },
        };
      }
      const bodies = extensions[BODY_BY_MEDIA_TYPE_EXTENSION] as
        Record<string, SchemaObject | ReferenceObject> | undefined;
      if (bodies && operation.requestBody && 'content' in operation.requestBody) {
        for (const [mediaType, schema] of Object.entries(bodies)) {
          operation.requestBody.content[mediaType] = { schema };
        }
        delete extensions[BODY_BY_MEDIA_TYPE_EXTENSION];
      }
    }
  }
  for (const shared of SHARED_PATHS) sharePath(document, shared);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...WORKFLOW_SCHEMAS },
    headers: { ...document.components?.headers, 'X-Request-Id': REQUEST_ID_HEADER },
  };
  return document;
}

/** The OpenAPI document, served (without a key, as `/health` is) at `/docs` (UI) and `/docs-json`. */
export function setupOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('CodeHubot Tasks')
    .setDescription('Asynchronous tasks for the CodeHubot education platform: submit, watch, revoke.')
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer('/', 'This API')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'API key',
      description: 'One of API_KEYS',
    })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto] });
  SwaggerModule.setup('docs', app, finishDocument(document), { jsonDocumentUrl: 'docs-json' });
}
