import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtension,
  ApiExtraModels,
  ApiParam,
  ApiProperty,
  ApiResponse,
  getSchemaPath,
  type SchemaObject,
} from '@nestjs/swagger';
import type { ErrorBody } from '../errors/api-exception.filter.js';

/** Every error the API answers itself (see `ApiExceptionFilter`): the one error body of the document. */
export class ErrorResponseDto implements ErrorBody {
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiProperty({ description: "The status's reason phrase", example: 'Not Found' }) error!: string;

  @ApiProperty({
    description: 'What went wrong, naming the field or id at fault; a list when several fields are',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'No task 3b241101-e2bb-4255-8caf-4136c566a962 (unknown id, or its result expired)',
  })
  message!: string | string[];
}

/** Any JSON value (a task's result): a number, a string, a boolean, an array, an object or null. */
export const ANY_JSON_VALUE: { anyOf: SchemaObject[] } = {
  anyOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'array', items: {} },
    { type: 'object', additionalProperties: true, nullable: true },
  ],
};

export type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 415 | 503;

/** The error answers of an operation, by status, each with what it means there. */
export type ErrorAnswers = Partial<Record<ErrorStatus, string>>;

/**
 * Declares error answers with the error body. On a controller they hold for each of its operations; an
 * operation's own description of the same status replaces the controller's.
 */
export function ApiErrors(answers: ErrorAnswers): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(answers).map(([status, description]) =>
      ApiResponse({ status: Number(status), description, type: ErrorResponseDto }),
    ),
  );
}

/** Answered on every route but the public ones (`@Public`). */
export const AUTH_ERRORS: ErrorAnswers = {
  401: 'No, or a wrong, `Authorization: Bearer <key>` (once API_KEYS is set; without keys, a request from another machine)',
};

/** Answered by every route that reaches the broker. */
export const BROKER_ERRORS: ErrorAnswers = {
  503: 'The broker (Redis) is unavailable; `Retry-After: 5`',
};

/** Answered by Fastify's body parsing on every route that takes a JSON body. */
export const JSON_BODY_ERRORS: ErrorAnswers = {
  400: 'Malformed JSON, or a bad field (the message names it)',
  413: 'Body over 1 MB',
  415: 'A body that is not `application/json`',
};

/** Marks an operation that needs no key (`@Public`); `finishDocument` turns it into `security: []`. */
export const PUBLIC_EXTENSION = 'x-public';

/** Request body schemas by media type (`@ApiBodyByMediaType`); `finishDocument` puts them in place. */
export const BODY_BY_MEDIA_TYPE_EXTENSION = 'x-body-by-media-type';

/**
 * A request body that is one schema in one media type and another in another (`POST /documents`: a multipart
 * upload, or JSON naming a URL), which @nestjs/swagger's `@ApiBody` cannot say on its own.
 */
export function ApiBodyByMediaType(bodies: Record<string, Type<unknown>>): MethodDecorator {
  const refs = Object.fromEntries(
    Object.entries(bodies).map(([mediaType, type]) => [mediaType, { $ref: getSchemaPath(type) }]),
  );
  return applyDecorators(
    ApiExtraModels(...Object.values(bodies)),
    ApiConsumes(...Object.keys(bodies)),
    ApiBody({ schema: { oneOf: Object.values(refs) } }),
    ApiExtension(BODY_BY_MEDIA_TYPE_EXTENSION, refs),
  );
}

/** A path parameter that is a UUID naming `what`, with an example (Dredd builds requests from it). */
export function ApiUuidParam(name: string, what: string): MethodDecorator {
  return ApiParam({
    name,
    description: `The id (a UUID) of ${what}; an id that names nothing, whatever its shape, answers 404`,
    type: String,
    format: 'uuid',
    example: '3b241101-e2bb-4255-8caf-4136c566a962',
  });
}
