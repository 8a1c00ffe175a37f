import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upload, waitForDocument } from '../utils/documents.js';
import { TestSystem } from '../utils/test-system.js';

describe('a vectorization cut by the soft time limit', () => {
  let system: TestSystem;
  let uploads: string;

  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'codehubot-uploads-'));
    // the semantic provider embeds on its own thread pool: the limit reaches the embedding through that pool
    system = await TestSystem.start({
      env: { UPLOAD_DIR: uploads, TASK_SOFT_TIME_LIMIT: '1', TASK_TIME_LIMIT: '60' },
    });
    // the upload's chain extracts on `default`, then vectorizes on `embedding`
    await system.startWorker(['--queues', 'default,embedding']);
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    rmSync(uploads, { recursive: true, force: true });
  });

  it("records on the document the limit and its value, as the task's FAILURE does", async () => {
    // hundreds of chunks: batches of VECTORIZE_BATCH_CHUNKS (50), each far more than a second of embedding
    const text = Array.from({ length: 3_000 }, (_, i) => `Sentence ${i} is about rivers and rain.`).join(' ');
    const accepted = await upload(system, Buffer.from(text), 'long.txt');
    expect(accepted.status).toBe(202);
    const document = await waitForDocument(system, accepted.body.id, ['failed', 'completed'], 60_000);
    expect(document.embedding_status).toBe('failed');
    expect(document.error).toBe('SoftTimeLimitExceeded: soft time limit (1 s) exceeded');
    const task = await system.waitForState(accepted.body.task_id, 'FAILURE');
    expect(task.error).toContain('soft time limit (1 s) exceeded');
  }, 90_000);
});
