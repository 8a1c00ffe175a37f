import { NAUGHTY_STRINGS } from './naughty-strings.js';
import {
  MALFORMED_JSON_BODIES,
  WRONG_CONTENT_TYPES,
  WRONG_VALUES,
  malformedMultipart,
  multipartPart,
} from './malformed-input.js';
import type { SeededRandom } from './seeded-random.js';

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  example?: unknown;
  properties?: Record<string, Schema>;
}

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  schema?: Schema;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface FuzzRequest {
  /** `METHOD /path/{template}`: the operation it fuzzes. */
  operation: string;
  /** What is wrong with it, for the failure list. */
  label: string;
  method: string;
  /** The path with its parameters filled in and encoded, and a query string. */
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Valid inputs that mutations start from, so that they get past the first check (a real task name…). */
export interface Baselines {
  /** By path template, then parameter name. */
  pathParams?: Record<string, Record<string, string>>;
  /** By `METHOD /path`, the JSON body every field mutation starts from. */
  bodies?: Record<string, Record<string, unknown>>;
}

export interface FuzzOptions {
  random: SeededRandom;
  baselines?: Baselines;
  /** Most requests made for one operation: a seeded draw among its cases when it has more. */
  maxPerOperation: number;
  /** How many naughty strings each field is given (a seeded draw). */
  naughtyPerField: number;
}

const BODYLESS = new Set(['get', 'head']);

/** Percent-encodes every byte of the UTF-8 form: any string, even one that is not Unicode text, fits a path. */
const encodeAll = (value: string): string =>
  Array.from(Buffer.from(value, 'utf8'), (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/** Percent-sequences a client library would never produce, sent as they are. */
const RAW_SEGMENTS: readonly string[] = ['%', '%zz', '%ED%A0%80', '%C0%AF', '%00', '%2F', '%252F', '..%2F'];

function resolve(document: OpenApiDocument, schema: Schema | undefined): Schema {
  const ref = schema?.$ref?.replace('#/components/schemas/', '');
  return (ref ? document.components?.schemas?.[ref] : schema) ?? {};
}

function baselineParam(parameter: Parameter, random: SeededRandom, given?: string): string {
  if (given !== undefined) return given;
  if (typeof parameter.schema?.example === 'string') return parameter.schema.example;
  return random.uuid();
}

/** Every malformed request for one operation, before the per-operation bound. */
function operationCases(
  document: OpenApiDocument,
  path: string,
  method: string,
  operation: Operation,
  options: FuzzOptions,
): Omit<FuzzRequest, 'operation'>[] {
  const { random } = options;
  const verb = method.toUpperCase();
  const parameters = operation.parameters ?? [];
  const pathParams = parameters.filter((p) => p.in === 'path');
  const baseline = Object.fromEntries(
    pathParams.map((p) => [
      p.name,
      encodeURIComponent(baselineParam(p, random, options.baselines?.pathParams?.[path]?.[p.name])),
    ]),
  );
  const urlWith = (values: Record<string, string>, query = ''): string =>
    path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? baseline[name]) + query;
  const naughty = (): string[] => random.sample(NAUGHTY_STRINGS, options.naughtyPerField);
  const cases: Omit<FuzzRequest, 'operation'>[] = [];
  const add = (
    label: string,
    url: string,
    headers: Record<string, string> = {},
    body?: string | Buffer,
  ): void => {
    cases.push({ label, method: verb, url, headers, body: BODYLESS.has(method) ? undefined : body });
  };

  for (const parameter of pathParams) {
    const values = [...naughty().map(encodeAll), ...RAW_SEGMENTS, encodeAll(random.uuid().toUpperCase())];
    for (const value of values)
      add(`path ${parameter.name}=${value.slice(0, 60)}`, urlWith({ [parameter.name]: value }));
  }

  for (const parameter of parameters.filter((p) => p.in === 'query')) {
    const values = [...naughty(), ...WRONG_VALUES.filter((v) => v.length < 100)];
    for (const value of values) {
      add(
        `query ${parameter.name}=${value.slice(0, 60)}`,
        urlWith({}, `?${parameter.name}=${encodeAll(value)}`),
      );
    }
    add(`query ${parameter.name} twice`, urlWith({}, `?${parameter.name}=1&${parameter.name}=2`));
    add(`query ${parameter.name}[]`, urlWith({}, `?${parameter.name}[a]=1`));
  }

  const content = operation.requestBody?.content ?? {};
  const json = { 'content-type': 'application/json' };
  for (const body of MALFORMED_JSON_BODIES)
    add(`json body ${body.slice(0, 40).toString()}`, urlWith({}), json, body);
  for (const [type, body] of WRONG_CONTENT_TYPES)
    add(`content-type ${type}`, urlWith({}), { 'content-type': type }, body);

  const jsonSchema = resolve(document, content['application/json']?.schema);
  const start = options.baselines?.bodies?.[`${verb} ${path}`] ?? {};
  const fields = Object.entries(jsonSchema.properties ?? {});
  for (const [field, schema] of fields) {
    const others = JSON.stringify({ ...start, [field]: undefined }).slice(1, -1);
    const prefix = others === '' ? '{' : `{${others},`;
    const values = [...WRONG_VALUES, ...naughty().map((s) => JSON.stringify(s))];
    if (resolve(document, schema).type === 'array') values.push(JSON.stringify(naughty()));
    if (resolve(document, schema).type === 'object') {
      values.push(JSON.stringify(Object.fromEntries(naughty().map((s) => [s, s]))));
    }
    for (const value of values)
      add(`json ${field}=${value.slice(0, 40)}`, urlWith({}), json, `${prefix}"${field}":${value}}`);
  }
  for (const key of naughty()) {
    add(`json unknown field ${key.slice(0, 40)}`, urlWith({}), json, JSON.stringify({ ...start, [key]: 1 }));
  }

  if (content['multipart/form-data']) {
    for (const [type, body] of malformedMultipart(random.bytes(64)))
      add(`multipart ${type}`, urlWith({}), { 'content-type': type }, body);
    const multipart = { 'content-type': 'multipart/form-data; boundary=fz' };
    const form = resolve(document, content['multipart/form-data'].schema).properties ?? {};
    for (const [field, schema] of Object.entries(form)) {
      for (const value of naughty()) {
        const binary = schema.format === 'binary';
        const part = binary
          ? multipartPart('fz', field, random.bytes(32), value.replace(/["\r\n]/g, '_').slice(0, 200))
          : multipartPart('fz', field, value);
        add(
          `multipart ${field}=${value.slice(0, 40)}`,
          urlWith({}),
          multipart,
          Buffer.concat([part, Buffer.from('--fz--\r\n')]),
        );
      }
    }
  }
  return cases;
}

/**
 * Malformed requests for every operation of an OpenAPI document: bad path parameters (naughty strings, raw
 * percent-sequences, unknown ids), bad query parameters, bodies that are not JSON objects or not JSON, every
 * body field given values of the wrong type or range, unknown fields, wrong content types, and malformed
 * multipart. Deterministic for a seed; at most `maxPerOperation` requests an operation.
 */
export function fuzzRequests(document: OpenApiDocument, options: FuzzOptions): FuzzRequest[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).flatMap(([method, operation]) => {
      const cases = operationCases(document, path, method, operation, options);
      const chosen =
        cases.length > options.maxPerOperation
          ? options.random.sample(cases, options.maxPerOperation)
          : cases;
      return chosen.map((c) => ({ operation: `${method.toUpperCase()} ${path}`, ...c }));
    }),
  );
}
