import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { TokensRepository } from '@app/housekeeping';
import type { ApiConfig } from '../config/api.config.js';
import { IS_PUBLIC } from './public.decorator.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Digests of the keys clients present, so that a client's key is hashed once, not on every request. */
const PRESENTED_CACHE_SIZE = 1_000;

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

/**
 * `Authorization: Bearer <key>` on every route but the public ones, once `API_KEYS` is set: one of the keys, or
 * a token from `POST /tokens` until it expires. Without keys the
 * API is for local development: it answers requests from this machine only.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: Buffer[];
  private readonly presented = new Map<string, Buffer>();

  constructor(
    private readonly reflector: Reflector,
    config: ConfigService,
    private readonly tokens: TokensRepository,
  ) {
    this.keys = config.getOrThrow<ApiConfig>('api').apiKeys.map(digest);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (this.keys.length === 0) {
      if (isLoopback(request.raw.socket.remoteAddress)) return true;
      throw new UnauthorizedException('API_KEYS is not configured: only local requests are served');
    }
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new UnauthorizedException('Authorization: Bearer <API key> required');
    const given = this.digestOf(match[1]);
    if (this.keys.some((key) => timingSafeEqual(key, given))) return true;
    // a token from POST /tokens: looked up by its digest, so its timing tells nothing of stored secrets
    if (await this.tokens.isValid(match[1])) return true;
    throw new UnauthorizedException('Invalid API key, or a token that expired or was deleted');
  }

  /**
   * Keys are compared as fixed-length digests, in constant time, so that a wrong key's timing tells nothing
   * of the right one. Whether a key is in this cache only says it was presented before.
   */
  private digestOf(key: string): Buffer {
    let value = this.presented.get(key);
    if (!value) {
      if (this.presented.size >= PRESENTED_CACHE_SIZE) this.presented.clear();
      value = digest(key);
      this.presented.set(key, value);
    }
    return value;
  }
}
