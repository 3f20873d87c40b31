import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRepositoryToken } from '@nestjs/typeorm';
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import type { Repository } from 'typeorm';
import { StoredFile } from '../../src/core/files/stored-file.entity.js';
import { tempDir } from '../../src/core/files/storage-paths.js';
import { PLATFORM_QUEUE } from '../../src/core/housekeeping/platform.jobs.js';
import type { JobQueue } from '../../src/core/queue/job-queue.js';
import { jobQueueToken } from '../../src/core/queue/queue.module.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe('GET /health', () => {
  it('answers 200 with the database (pgvector enabled), Redis, queues, LLM mode and version', async () => {
    const res = await request(t.url).get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      failing: [],
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      database: { status: 'up', embedded: true, vector: true, vectorVersion: expect.any(String) },
      redis: { status: 'up' },
      llm: { mode: 'offline' },
    });
    expect(res.body.queues.platform).toEqual(
      expect.objectContaining({
        waiting: expect.any(Number),
        active: expect.any(Number),
        failed: expect.any(Number),
      }),
    );
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('API documentation', () => {
  it('renders Swagger UI at /docs from local assets', async () => {
    const res = await request(t.url).get('/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger-ui');
    expect(res.text).not.toMatch(/https?:\/\/(cdn|unpkg|cdnjs)/);
  });

  it('serves a valid OpenAPI 3 document at /docs-json that lists /health and the API-key scheme', async () => {
    const res = await request(t.url).get('/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.paths['/health'].get).toBeDefined();
    expect(res.body.components.securitySchemes['api-key']).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
    });
    const validation = await validate(structuredClone(res.body));
    expect(validation).toMatchObject({ valid: true });
  });
});

describe('pages and errors', () => {
  it('renders the dashboard with dependency status, queue counts and the offline banner', async () => {
    const res = await request(t.url).get('/').set('Accept', 'text/html').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('<h1>Dashboard</h1>');
    expect(res.text).toContain('data-queue="platform"');
    expect(res.text).toContain('Embedded PostgreSQL (PGlite)');
    expect(res.text).toContain('data-testid="offline-banner"');
  });

  it('answers an unknown API path with the JSON error shape and the request id', async () => {
    const res = await request(t.url)
      .get('/api/nothing-here')
      .set('X-Request-Id', 'test-request-0001')
      .expect(404);
    expect(res.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /api/nothing-here',
      requestId: 'test-request-0001',
    });
    expect(res.headers['x-request-id']).toBe('test-request-0001');
  });

  it('shows a finished error page to a browser', async () => {
    const res = await request(t.url).get('/no-such-page').set('Accept', 'text/html').expect(404);
    expect(res.text).toContain('404 · Not Found');
    expect(res.text).toContain('Back to the dashboard');
  });

  it('serves the stylesheet locally', async () => {
    const res = await request(t.url).get('/static/css/app.css').expect(200);
    expect(res.text).toContain('--brand');
  });
});

describe('housekeeping job', () => {
  it('is scheduled as a repeatable job', async () => {
    const queue = t.get<JobQueue<never>>(jobQueueToken(PLATFORM_QUEUE));
    const repeatable = await queue.bull.getRepeatableJobs();
    expect(repeatable.map((job) => job.name)).toContain('housekeeping');
  });

  it('deletes expired upload files and stale temp files, and keeps the rest', async () => {
    const files = t.get<Repository<StoredFile>>(getRepositoryToken(StoredFile) as string);
    const storage = t.config.app.storageDir;
    await mkdir(join(storage, 'owner-a'), { recursive: true });
    await mkdir(tempDir(storage), { recursive: true });
    const expiredPath = 'owner-a/expired.csv';
    const livePath = 'owner-a/live.csv';
    await writeFile(join(storage, expiredPath), 'a,b\n1,2\n');
    await writeFile(join(storage, livePath), 'a,b\n3,4\n');
    const staleTemp = join(tempDir(storage), 'stale-upload');
    const freshTemp = join(tempDir(storage), 'fresh-upload');
    await writeFile(staleTemp, 'x');
    await writeFile(freshTemp, 'y');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    await utimes(staleTemp, twoDaysAgo, twoDaysAgo);
    const base = {
      ownerId: null,
      purpose: 'spreadsheet',
      mediaType: 'text/csv',
      sizeBytes: 8,
      sha256: 'a'.repeat(64),
    };
    await files.save([
      files.create({
        ...base,
        storagePath: expiredPath,
        originalName: 'expired.csv',
        expiresAt: new Date(Date.now() - 1000),
      }),
      files.create({
        ...base,
        storagePath: livePath,
        originalName: 'live.csv',
        expiresAt: new Date(Date.now() + 86_400_000),
      }),
    ]);

    const queue = t.get<JobQueue<{ housekeeping: { trigger: 'manual' } }>>(
      jobQueueToken(PLATFORM_QUEUE),
    );
    await queue.add('housekeeping', { trigger: 'manual' });
    await t.drainQueues();

    expect(existsSync(join(storage, expiredPath))).toBe(false);
    expect(existsSync(join(storage, livePath))).toBe(true);
    expect(existsSync(staleTemp)).toBe(false);
    expect(existsSync(freshTemp)).toBe(true);
    expect((await files.find()).map((file) => file.storagePath)).toEqual([livePath]);
  });
});
