import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = Symbol('codehubot:public');

/** Lets a route through without an API key (only `/health`). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
