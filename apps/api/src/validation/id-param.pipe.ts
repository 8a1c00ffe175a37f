import type { PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';

/** The error its route throws for an id that names nothing (answered 404). */
export type NotFound = (id: string) => Error;

/**
 * An id in a path. Every id the API hands out (task, document) is a UUID, so an id of any other shape names
 * nothing: it gets the very 404 an unknown id gets, without a lookup (the contract: an id that names nothing
 * is unknown, whatever its shape).
 */
export class IdParamPipe implements PipeTransform<string, string> {
  constructor(private readonly notFound: NotFound) {}

  transform(value: string): string {
    if (!isUUID(value)) throw this.notFound(value);
    return value;
  }
}
