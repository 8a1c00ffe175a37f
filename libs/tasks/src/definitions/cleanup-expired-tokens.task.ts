import { defineTask } from '../core/define-task.js';

export class CleanupExpiredTokensPayload {}

export interface CleanupExpiredTokensResult {
  deleted: number;
}

/** Deletes the API tokens that have expired (daily, `cleanup-expired-tokens`). Idempotent. */
export const CleanupExpiredTokens = defineTask<CleanupExpiredTokensPayload, CleanupExpiredTokensResult>({
  name: 'tasks.cleanup_expired_tokens',
  params: [],
  payload: CleanupExpiredTokensPayload,
  isolation: 'none',
  description: 'Deletes expired API tokens; returns {deleted}.',
});
