import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { upload, waitForDocument } from '../utils/documents.js';
import { waitForHistory } from '../utils/history.js';
import { TestSmtpServer } from '../utils/smtp.js';
import { E2E_TIMEOUT_MS, startWorker, waitFor } from '../utils/runtime-helpers.js';
import { TestSystem } from '../utils/test-system.js';

jest.setTimeout(E2E_TIMEOUT_MS);

interface Token {
  id: string;
  name: string;
  expires_at: string;
  created_at: string;
  token?: string;
}

interface Device {
  id: string;
  online: boolean;
  last_seen: string;
  status: Record<string, unknown> | null;
}

describe('housekeeping: API tokens and devices, and their periodic tasks', () => {
  let system: TestSystem;
  let smtp: TestSmtpServer;
  const RECIPIENTS = ['teachers@example.com', 'ops@example.com'];

  /** Runs one of the original's schedules now and returns its task's result. */
  const runSchedule = async (name: string): Promise<unknown> => {
    const run = await system.request<{ task_id: string }>('POST', `/schedules/${name}/run`);
    expect(run.status).toBe(202);
    return (await system.waitForState(run.body.task_id, 'SUCCESS')).result;
  };

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    system = await TestSystem.start({
      env: {
        DEVICE_OFFLINE_AFTER: '1',
        EMBEDDING_PROVIDER: 'hash',
        SMTP_URL: smtp.url,
        REPORT_RECIPIENTS: RECIPIENTS.join(', '),
      },
    });
    await startWorker(system, ['--pool', 'inline']);
  });

  afterAll(async () => {
    await system?.stop();
    await smtp?.close();
  });

  it('creates a token shown once and stored hashed, usable as a Bearer key until it expires, then cleaned up', async () => {
    const bad = await system.request<{ message: string }>('POST', '/tokens', {
      name: 'past',
      expires_at: '2001-01-01T00:00:00Z',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^expires_at: /);
    expect((await system.request('POST', '/tokens', { name: 'x', expires_at: 'soon' })).status).toBe(400);

    const created = await system.request<Token>('POST', '/tokens', {
      name: 'short-lived',
      expires_at: new Date(Date.now() + 3000).toISOString(),
    });
    expect(created.status).toBe(201);
    const secret = created.body.token ?? '';
    expect(secret.length).toBeGreaterThan(30);
    const kept = await system.request<Token>('POST', '/tokens', {
      name: 'kept',
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const bearer = { authorization: `Bearer ${secret}` };
    const listed = await system.request<Token[]>('GET', '/tokens', undefined, bearer);
    expect(listed.status).toBe(200);
    expect(listed.body.map((t) => t.name).sort()).toEqual(['kept', 'short-lived']);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.every((t) => t.token === undefined)).toBe(true);
    expect(
      (await system.request('GET', '/tasks?limit=1', undefined, { authorization: 'Bearer nope' })).status,
    ).toBe(401);

    await sleep(Math.max(0, Date.parse(created.body.expires_at) - Date.now()) + 200);
    expect((await system.request('GET', '/tokens', undefined, bearer)).status).toBe(401);
    expect(await runSchedule('cleanup-expired-tokens')).toEqual({ deleted: 1 });
    const left = await system.request<Token[]>('GET', '/tokens');
    expect(left.body.map((t) => t.name)).toEqual(['kept']);

    expect((await system.request('DELETE', `/tokens/${kept.body.id}`)).status).toBe(204);
    expect((await system.request('DELETE', `/tokens/${kept.body.id}`)).status).toBe(404);
    expect((await system.request('DELETE', '/tokens/not-a-uuid')).status).toBe(404);
  });

  it('records device heartbeats; a device silent for DEVICE_OFFLINE_AFTER goes offline', async () => {
    const beat = await system.request<Device>('POST', '/devices/esp32-7/heartbeat', {
      status: { battery: 80 },
    });
    expect(beat.status).toBe(200);
    expect(beat.body).toMatchObject({ id: 'esp32-7', online: true, status: { battery: 80 } });
    expect((await system.request('POST', '/devices/esp32-8/heartbeat')).status).toBe(200);
    expect((await system.request('POST', '/devices/bad%20id/heartbeat')).status).toBe(400);
    await sleep(1500);
    expect((await system.request('POST', '/devices/esp32-8/heartbeat')).status).toBe(200);
    expect(await runSchedule('update-device-status')).toEqual({ updated: 1 });
    const devices = await system.request<Device[]>('GET', '/devices');
    expect(devices.body.map((d) => [d.id, d.online])).toEqual([
      ['esp32-7', false],
      ['esp32-8', true],
    ]);
  });

  it('sync_data queues again a document left pending with no live task, and leaves the others', async () => {
    const text = new TextEncoder().encode('Photosynthesis turns light into chemical energy. '.repeat(20));
    const [stranded, fine] = await Promise.all([
      upload(system, text, 'a.txt'),
      upload(system, text, 'b.txt'),
    ]);
    expect([stranded.status, fine.status]).toEqual([202, 202]);
    await waitForDocument(system, stranded.body.id, ['completed']);
    await waitForDocument(system, fine.body.id, ['completed']);
    // what a crash between the database write and the queueing leaves: pending, its task unknown to Redis
    const db = new Database(join(system.dir, 'db.sqlite'));
    db.prepare(`UPDATE documents SET embedding_status = 'pending', task_id = ? WHERE id = ?`).run(
      randomUUID(),
      stranded.body.id,
    );
    db.close();
    const result = (await runSchedule('sync-data')) as {
      checked: number;
      requeued: { document_id: string; task_id: string }[];
    };
    expect(result.checked).toBe(1);
    expect(result.requeued.map((r) => r.document_id)).toEqual([stranded.body.id]);
    const again = await waitForDocument(system, stranded.body.id, ['completed']);
    expect(again.task_id).toBe(result.requeued[0].task_id);
    expect(again.chunk_count).toBeGreaterThan(0);
    expect(await runSchedule('sync-data')).toEqual({ checked: 0, requeued: [] });
  });

  it("the weekly report: the week's figures from the history, stored, and mailed as HTML with a text part", async () => {
    const ids: string[] = [];
    for (const args of [
      [1, 2],
      [3, 4],
      [5, 6],
    ])
      ids.push((await system.submit('tasks.add', { args })).body.task_id);
    ids.push((await system.submit('tasks.fail', { kwargs: { message: 'boom' } })).body.task_id);
    await waitForHistory(
      system,
      { name: 'tasks.add' },
      (items) => items.filter((i) => i.state === 'SUCCESS').length === 3,
    );
    await waitForHistory(system, { name: 'tasks.fail' }, (items) => items.some((i) => i.state === 'FAILURE'));
    await waitFor('the stats of those tasks', async () => {
      const stats = await system.request<{ tasks: { name: string; succeeded: number; failed: number }[] }>(
        'GET',
        '/stats',
      );
      const add = stats.body.tasks.find((t) => t.name === 'tasks.add');
      const fail = stats.body.tasks.find((t) => t.name === 'tasks.fail');
      return add?.succeeded === 3 && fail?.failed === 1;
    });

    const result = (await runSchedule('weekly-report')) as {
      report_id: string;
      mailed_to: string[];
      tasks: number;
    };
    expect(result.mailed_to).toEqual(RECIPIENTS);
    const report = await system.request<{
      id: string;
      period_start: string;
      period_end: string;
      mailed: boolean;
      totals: { total: number; failed: number };
      tasks: {
        name: string;
        total: number;
        succeeded: number;
        failed: number;
        failure_rate: number;
        runtime_ms: { p50: number | null };
      }[];
    }>('GET', `/reports/${result.report_id}`);
    expect(report.status).toBe(200);
    expect(Date.parse(report.body.period_end) - Date.parse(report.body.period_start)).toBe(7 * 86_400_000);
    const byName = new Map(report.body.tasks.map((t) => [t.name, t]));
    expect(byName.get('tasks.add')).toMatchObject({ total: 3, succeeded: 3, failed: 0, failure_rate: 0 });
    expect(byName.get('tasks.add')?.runtime_ms.p50).not.toBeNull();
    expect(byName.get('tasks.fail')).toMatchObject({ total: 1, succeeded: 0, failed: 1, failure_rate: 1 });
    expect(report.body.totals.failed).toBeGreaterThanOrEqual(1);
    expect(report.body.mailed).toBe(true);
    const listed = await system.request<{ id: string }[]>('GET', '/reports');
    expect(listed.body.map((r) => r.id)).toContain(result.report_id);
    expect((await system.request('GET', `/reports/${randomUUID()}`)).status).toBe(404);
    expect((await system.request('GET', '/reports/nope')).status).toBe(404);

    const [mail, ...more] = await smtp.waitForMessages(RECIPIENTS[0]);
    expect(more).toHaveLength(0);
    expect(mail.to.sort()).toEqual([...RECIPIENTS].sort());
    expect(mail.subject).toMatch(/^CodeHubot weekly report \d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d$/);
    expect(mail.headers.get('content-type')).toMatch(/multipart\/alternative/);
    expect(mail.raw).toMatch(/Content-Type: text\/plain/i);
    expect(mail.raw).toMatch(/Content-Type: text\/html/i);
    expect(mail.raw).toContain('tasks.add');
  });
});
