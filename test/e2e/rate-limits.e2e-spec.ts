import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createNotesTable, TestNotesModule } from '../support/apps/notes.app.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

// Acceptance 6 of issue 4, on two instances that share the database and Redis (as N processes of
// one deployment do): key A bursting past its limit gets 429 with Retry-After on either instance;
// key B is not slowed. Also: a revoke on one instance is refused by the other at once.

const GENERAL = 20;
const UPLOADS = 10;
const LOGINS = 3;
const limits = {
  RATE_LIMIT_PER_MINUTE: String(GENERAL),
  RATE_LIMIT_UPLOADS_PER_MINUTE: String(UPLOADS),
  RATE_LIMIT_LOGINS_PER_MINUTE: String(LOGINS),
};

let one: TestApp;
let two: TestApp;

beforeAll(async () => {
  one = await startTestApp({ env: limits, modules: [TestNotesModule] });
  two = await startTestApp({
    env: { ...limits, DATABASE_URL: one.conveyor.runtime.databaseUrl, DATABASE_POOL_SIZE: '1' },
    modules: [TestNotesModule],
    prefix: one.prefix,
    adminKey: one.user.key,
  });
  await createNotesTable(one.db);
});

afterAll(async () => {
  await two?.close();
  await one?.close();
});

/** The same user's requests spread over both instances. */
function on(app: TestApp, user: TestUser, path: string) {
  return request(app.url).get(path).set('X-API-Key', user.key);
}

describe('per-key rate limits shared across instances', () => {
  it('gives key A 429 with Retry-After once its burst is used up on both instances, and leaves key B alone', async () => {
    const a = await one.createUser();
    const b = await one.createUser();

    const statuses: number[] = [];
    for (let i = 0; i < GENERAL; i++) {
      const res = await on(i % 2 === 0 ? one : two, a, '/api/users/me');
      statuses.push(res.status);
    }
    expect(statuses).toEqual(Array(GENERAL).fill(200));

    for (const app of [one, two]) {
      const limited = await on(app, a, '/api/users/me').expect(429);
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(Math.ceil(60 / GENERAL));
      expect(limited.body).toMatchObject({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `Rate limit reached: at most ${GENERAL} requests a minute for this API key. Retry in ${retryAfter} s.`,
        retryAfterSeconds: retryAfter,
      });
    }

    // B still has its whole burst, on either instance.
    const first = await on(two, b, '/api/users/me').expect(200);
    expect(first.headers['ratelimit-limit']).toBe(String(GENERAL));
    expect(first.headers['ratelimit-remaining']).toBe(String(GENERAL - 1));
    for (let i = 0; i < GENERAL - 1; i++)
      await on(i % 2 ? one : two, b, '/api/users/me').expect(200);
  });

  it('limits uploads to RATE_LIMIT_UPLOADS_PER_MINUTE per key, on top of the general limit', async () => {
    const a = await one.createUser();
    const b = await one.createUser();
    const note = await a.http.post('/api/test-notes').send({ text: 'n' }).expect(201);
    const upload = (app: TestApp, user: TestUser, id: string) =>
      request(app.url).post(`/api/test-notes/${id}/attachments`).set('X-API-Key', user.key);

    for (let i = 0; i < UPLOADS; i++) await upload(i % 2 ? one : two, a, note.body.id).expect(201);
    const limited = await upload(one, a, note.body.id).expect(429);
    expect(Number(limited.headers['retry-after'])).toBe(60 / UPLOADS);
    expect(limited.body.message).toBe(
      `Rate limit reached: at most ${UPLOADS} upload requests a minute for this API key. Retry in ${60 / UPLOADS} s.`,
    );
    // Other routes of the same key still work: the refused upload used up no general quota.
    const other = await on(two, a, '/api/users/me').expect(200);
    expect(Number(other.headers['ratelimit-remaining'])).toBe(GENERAL - 1 - UPLOADS - 1);

    const bNote = await b.http.post('/api/test-notes').send({ text: 'n' }).expect(201);
    const ok = await upload(two, b, bNote.body.id).expect(201);
    expect(ok.headers['ratelimit-policy']).toBe('upload');
    expect(ok.headers['ratelimit-remaining']).toBe(String(UPLOADS - 1));
  });
});

describe('login attempts', () => {
  it('are limited per client address, whatever key is tried', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= LOGINS; i++) {
      const res = await request(i % 2 ? one.url : two.url)
        .post('/login')
        .type('form')
        .send({ key: `cvk_${'x'.repeat(43)}`, _csrf: 'none' });
      statuses.push(res.status);
    }
    // The forms carry no valid token (403), until the address is over its limit (429).
    expect(statuses).toEqual([...Array(LOGINS).fill(403), 429]);
  });
});

describe('revocation across instances', () => {
  it('refuses a key on instance two right after instance one revoked it, though two had it cached', async () => {
    const someone = await one.createUser();
    await on(two, someone, '/api/users/me').expect(200);
    await on(two, someone, '/api/users/me').expect(200);
    const [key] = (await someone.http.get('/api/keys').expect(200)).body as { id: string }[];
    await one.http.delete(`/api/keys/${key.id}`).expect(200);
    const refused = await on(two, someone, '/api/users/me').expect(401);
    expect(refused.body.message).toBe('This API key has been revoked.');
  });
});
