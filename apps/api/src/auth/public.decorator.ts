import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { PUBLIC_EXTENSION } from '../openapi/decorators.js';

export const IS_PUBLIC = Symbol('codehubot:public');

/** Lets a route through without an API key (only `/health`); the OpenAPI document says so (`security: []`). */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiExtension(PUBLIC_EXTENSION, true));
