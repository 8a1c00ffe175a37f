import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { LessThanOrEqual, MoreThan, type Repository } from 'typeorm';
import { ApiTokenEntity } from './api-token.entity.js';

/** What is shown of a token: never its secret, which is answered once, at creation. */
export interface ApiToken {
  id: string;
  name: string;
  expires_at: string;
  created_at: string;
}

/** The secret's digest, as stored and as looked up. */
export const tokenDigest = (token: string): string => createHash('sha256').update(token).digest('hex');

const view = (row: ApiTokenEntity): ApiToken => ({
  id: row.id,
  name: row.name,
  expires_at: new Date(Number(row.expiresAt)).toISOString(),
  created_at: new Date(Number(row.createdAt)).toISOString(),
});

/** The API tokens table: the only place that writes its queries. */
@Injectable()
export class TokensRepository {
  constructor(@InjectRepository(ApiTokenEntity) private readonly repo: Repository<ApiTokenEntity>) {}

  /** A new token: its secret (`cht_` + 32 random bytes, base64url) is returned here and never again. */
  async create(name: string, expiresAt: Date, now = Date.now()): Promise<ApiToken & { token: string }> {
    const token = `cht_${randomBytes(32).toString('base64url')}`;
    const row = this.repo.create({
      id: randomUUID(),
      name,
      tokenHash: tokenDigest(token),
      expiresAt: String(expiresAt.getTime()),
      createdAt: String(now),
    });
    await this.repo.insert(row);
    return { ...view(row), token };
  }

  async list(): Promise<ApiToken[]> {
    return (await this.repo.find({ order: { createdAt: 'DESC' } })).map(view);
  }

  async remove(id: string): Promise<boolean> {
    return ((await this.repo.delete({ id })).affected ?? 0) > 0;
  }

  /** Whether a presented secret is a token that has not expired. */
  async isValid(token: string, now = Date.now()): Promise<boolean> {
    return this.repo.existsBy({ tokenHash: tokenDigest(token), expiresAt: MoreThan(String(now)) });
  }

  /** Deletes the expired tokens; returns how many. */
  async deleteExpired(now = Date.now()): Promise<number> {
    return (await this.repo.delete({ expiresAt: LessThanOrEqual(String(now)) })).affected ?? 0;
  }
}
