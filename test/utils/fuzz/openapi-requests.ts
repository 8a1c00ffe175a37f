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

type Case = Omit<FuzzRequest, 'operation' | 'method'>;

/** What the case builders of one operation share. */
interface Cases {
  random: SeededRandom;
  /** A fresh seeded draw of naughty strings. */
  naughty(): string[];
  /** The operation's path with some parameters replaced (the others at their baseline), plus a query. */
  url(values?: Record<string, string>, query?: string): string;
  add(label: string, url: string, headers?: Record<string, string>, body?: string | Buffer): void;
}

/** `[as shown, as sent]`: naughty strings (and `more`) percent-encoded, raw percent-sequences as they are. */
function urlValues(cases: Cases, more: readonly string[] = []): [string, string][] {
  return [
    ...[...cases.naughty(), ...more].map((value): [string, string] => [value.slice(0, 60), encodeAll(value)]),
    ...RAW_SEGMENTS.map((raw): [string, string] => [`raw ${raw}`, raw]),
  ];
}

/** Path parameters one at a time, query parameters one at a time, and query parameters nobody declared. */
function parameterCases(cases: Cases, parameters: readonly Parameter[], uuid: string): void {
  for (const { name } of parameters.filter((p) => p.in === 'path')) {
    for (const [shown, value] of urlValues(cases, [uuid])) {
      cases.add(`path ${name}=${shown}`, cases.url({ [name]: value }));
    }
  }
  const short = WRONG_VALUES.filter((v) => v.length < 100);
  for (const { name } of parameters.filter((p) => p.in === 'query')) {
    for (const [shown, value] of urlValues(cases, short)) {
      cases.add(`query ${name}=${shown}`, cases.url({}, `?${name}=${value}`));
    }
    cases.add(`query ${name} twice`, cases.url({}, `?${name}=1&${name}=2`));
  }
  for (const [shown, value] of urlValues(cases)) {
    cases.add(`unknown query ${shown}`, cases.url({}, `?${value}=${value}&a[b][c]=1&__proto__[x]=1`));
  }
}

/** Bodies that are not JSON objects, bodies of the wrong type, and each field of `schema` given bad values. */
function jsonBodyCases(
  cases: Cases,
  schema: Schema,
  resolveSchema: (s: Schema) => Schema,
  start: object,
): void {
  const json = { 'content-type': 'application/json' };
  for (const body of MALFORMED_JSON_BODIES) {
    cases.add(`json body ${body.slice(0, 40).toString()}`, cases.url(), json, body);
  }
  for (const [type, body] of WRONG_CONTENT_TYPES) {
    cases.add(`content-type ${type}`, cases.url(), { 'content-type': type }, body);
  }
  for (const [field, fieldSchema] of Object.entries(schema.properties ?? {})) {
    const others = JSON.stringify({ ...start, [field]: undefined }).slice(1, -1);
    const prefix = others === '' ? '{' : `{${others},`;
    const values = [...WRONG_VALUES, ...cases.naughty().map((s) => JSON.stringify(s))];
    const type = resolveSchema(fieldSchema).type;
    if (type === 'array') values.push(JSON.stringify(cases.naughty()));
    if (type === 'object')
      values.push(JSON.stringify(Object.fromEntries(cases.naughty().map((s) => [s, s]))));
    for (const value of values) {
      cases.add(`json ${field}=${value.slice(0, 40)}`, cases.url(), json, `${prefix}"${field}":${value}}`);
    }
  }
  for (const key of cases.naughty()) {
    cases.add(
      `json unknown field ${key.slice(0, 40)}`,
      cases.url(),
      json,
      JSON.stringify({ ...start, [key]: 1 }),
    );
  }
}

/** Malformed multipart, then well-formed multipart with each field of `schema` given naughty content. */
function multipartCases(cases: Cases, schema: Schema): void {
  for (const [type, body] of malformedMultipart(cases.random.bytes(64))) {
    cases.add(`multipart ${type}`, cases.url(), { 'content-type': type }, body);
  }
  const headers = { 'content-type': 'multipart/form-data; boundary=fz' };
  for (const [field, fieldSchema] of Object.entries(schema.properties ?? {})) {
    for (const value of cases.naughty()) {
      const part =
        fieldSchema.format === 'binary'
          ? multipartPart('fz', field, cases.random.bytes(32), value.replace(/["\r\n]/g, '_').slice(0, 200))
          : multipartPart('fz', field, value);
      const body = Buffer.concat([part, Buffer.from('--fz--\r\n')]);
      cases.add(`multipart ${field}=${value.slice(0, 40)}`, cases.url(), headers, body);
    }
  }
}

/** Every malformed request for one operation, before the per-operation bound. */
function operationCases(
  document: OpenApiDocument,
  path: string,
  method: string,
  operation: Operation,
  options: FuzzOptions,
): Case[] {
  const { random } = options;
  const parameters = operation.parameters ?? [];
  const baseline = Object.fromEntries(
    parameters
      .filter((p) => p.in === 'path')
      .map((p) => [
        p.name,
        encodeURIComponent(baselineParam(p, random, options.baselines?.pathParams?.[path]?.[p.name])),
      ]),
  );
  const list: Case[] = [];
  const cases: Cases = {
    random,
    naughty: () => random.sample(NAUGHTY_STRINGS, options.naughtyPerField),
    url: (values = {}, query = '') =>
      path.replace(/\{([^}]+)\}/g, (_, name: string) => values[name] ?? baseline[name]) + query,
    add: (label, url, headers = {}, body) => list.push({ label, url, headers, body }),
  };
  parameterCases(cases, parameters, random.uuid().toUpperCase());
  if (BODYLESS.has(method)) return list;
  const content = operation.requestBody?.content ?? {};
  const resolveSchema = (schema: Schema | undefined): Schema => resolve(document, schema);
  const start = options.baselines?.bodies?.[`${method.toUpperCase()} ${path}`] ?? {};
  jsonBodyCases(cases, resolveSchema(content['application/json']?.schema), resolveSchema, start);
  if (content['multipart/form-data'])
    multipartCases(cases, resolveSchema(content['multipart/form-data'].schema));
  return list;
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
      const verb = method.toUpperCase();
      return chosen.map((c) => ({ operation: `${verb} ${path}`, method: verb, ...c }));
    }),
  );
}
