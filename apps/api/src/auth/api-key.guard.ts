import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiConfig } from '../config/api.config.js';
import { IS_PUBLIC } from './public.decorator.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

/**
 * `Authorization: Bearer <key>` on every route but the public ones, once `API_KEYS` is set. Without keys the
 * API is for local development: it answers requests from this machine only.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: Buffer[];

  constructor(
    private readonly reflector: Reflector,
    config: ConfigService,
  ) {
    this.keys = config.getOrThrow<ApiConfig>('api').apiKeys.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (this.keys.length === 0) {
      if (isLoopback(request.socket.remoteAddress)) return true;
      throw new UnauthorizedException('API_KEYS is not configured: only local requests are served');
    }
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new UnauthorizedException('Authorization: Bearer <API key> required');
    const given = digest(match[1]);
    if (!this.keys.some((key) => timingSafeEqual(key, given)))
      throw new UnauthorizedException('Invalid API key');
    return true;
  }
}
