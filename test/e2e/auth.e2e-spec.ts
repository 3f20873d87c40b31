import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import request from 'supertest';
import { adminKeyPath } from '../../src/core/auth/first-admin.service.js';
import { hiddenField } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.close();
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Every row of every table in the schema, as text: where a plaintext key must never appear. */
async function wholeDatabase(): Promise<string> {
  const tables: { table_name: string }[] = await t.db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
  );
  const dumps = await Promise.all(
    tables.map(async ({ table_name }) =>
      JSON.stringify(await t.db.query(`SELECT * FROM "${table_name}"`)),
    ),
  );
  return dumps.join('\n');
}

describe('first boot', () => {
  it('creates an admin and writes its key to DATA_DIR/admin-key, readable by its owner only', async () => {
    const info = await stat(adminKeyPath(t.config));
    expect(info.mode & 0o777).toBe(0o600);
    expect(t.user.key).toMatch(/^cvk_[A-Za-z0-9_-]{43}$/);
    expect(t.user.user).toMatchObject({ email: 'admin@localhost', isAdmin: true });
  });
});

describe('API keys', () => {
  it('refuses a request without a key with 401, the JSON error shape and a Bearer challenge', async () => {
    const res = await request(t.url)
      .get('/api/keys')
      .set('X-Request-Id', 'auth-test-0001')
      .expect(401);
    expect(res.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message:
        'This route needs an API key: send it as `X-API-Key: <key>` or `Authorization: Bearer <key>`.',
      requestId: 'auth-test-0001',
    });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="conveyor"');
  });

  it('accepts the key as X-API-Key or as a bearer token', async () => {
    const viaHeader = await request(t.url).get('/api/users/me').set('X-API-Key', t.user.key);
    const viaBearer = await request(t.url)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${t.user.key}`);
    expect(viaHeader.status).toBe(200);
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.body).toEqual(viaHeader.body);
    expect(viaHeader.body.email).toBe('admin@localhost');
  });

  it('says what is wrong with a bad key or header', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'X-API-Key': 'cvk_not-a-key' }, 'That is not a Conveyor API key'],
      [{ 'X-API-Key': `cvk_${'A'.repeat(43)}` }, 'This API key is not valid.'],
      [
        { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
        'must be `Bearer <key>`',
      ],
      [
        { 'X-API-Key': t.user.key, Authorization: `Bearer cvk_${'B'.repeat(43)}` },
        'carry different keys',
      ],
    ];
    for (const [headers, message] of cases) {
      const res = await request(t.url).get('/api/keys').set(headers).expect(401);
      expect(res.body.message).toContain(message);
    }
  });

  it('lets an admin create a user whose key is shown once and works at once', async () => {
    const res = await t.http
      .post('/api/users')
      .send({ email: '  Grace@Example.COM ', keyName: 'laptop' })
      .expect(201);
    expect(res.body.user).toMatchObject({
      email: 'grace@example.com',
      isAdmin: false,
      activeKeys: 1,
    });
    expect(res.body.key).toMatchObject({
      name: 'laptop',
      status: 'active',
      userId: res.body.user.id,
    });
    expect(res.body.key.key.startsWith(res.body.key.prefix)).toBe(true);
    const me = await request(t.url)
      .get('/api/users/me')
      .set('X-API-Key', res.body.key.key)
      .expect(200);
    expect(me.body.email).toBe('grace@example.com');
    // Shown once: no later answer carries it.
    const listed = await t.http.get(`/api/keys?userId=${res.body.user.id}`).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(res.body.key.key);
    expect(listed.body).toEqual([
      expect.objectContaining({ id: res.body.key.id, prefix: res.body.key.prefix }),
    ]);
  });

  it('refuses a taken email (409) and a malformed one (400) with clear messages', async () => {
    const first = await t.createUser();
    const taken = await t.http.post('/api/users').send({ email: first.user.email }).expect(409);
    expect(taken.body.message).toBe(`A user with the email ${first.user.email} already exists.`);
    const bad = await t.http.post('/api/users').send({ email: 'not-an-email' }).expect(400);
    expect(bad.body.message).toContain('email must be an email address');
  });

  it('stores no plaintext key anywhere, only its SHA-256 and a short prefix (acceptance 2)', async () => {
    const someone = await t.createUser();
    const extra = await someone.http.post('/api/keys').send({ name: 'second' }).expect(201);
    const { agent } = await t.signIn(someone.key);
    await agent.get('/').set('Accept', 'text/html').expect(200);

    const rows: { key_hash: string; prefix: string }[] = await t.db.query(
      `SELECT key_hash, prefix FROM api_keys WHERE owner_id = $1 ORDER BY created_at`,
      [someone.user.id],
    );
    expect(rows).toEqual([
      { key_hash: sha256(someone.key), prefix: someone.key.slice(0, 12) },
      { key_hash: sha256(extra.body.key), prefix: extra.body.key.slice(0, 12) },
    ]);
    const everything = await wholeDatabase();
    for (const key of [t.user.key, someone.key, extra.body.key as string]) {
      expect(everything).not.toContain(key);
      // Not even the secret part after the visible prefix.
      expect(everything).not.toContain(key.slice(12, 30));
    }
  });

  it('refuses a revoked key with 401 on the very next request (acceptance 2)', async () => {
    const someone = await t.createUser();
    const spare = await someone.http.post('/api/keys').send({ name: 'to revoke' }).expect(201);
    const spareHttp = (path: string) => request(t.url).get(path).set('X-API-Key', spare.body.key);
    await spareHttp('/api/users/me').expect(200); // now looked up and cached
    await spareHttp('/api/users/me').expect(200);

    const revoked = await someone.http.delete(`/api/keys/${spare.body.id}`).expect(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revokedAt: expect.any(String) });
    const after = await spareHttp('/api/users/me').expect(401);
    expect(after.body.message).toBe('This API key has been revoked.');
    // The user's other key is untouched; revoking again answers the same.
    await someone.http.get('/api/users/me').expect(200);
    const again = await someone.http.delete(`/api/keys/${spare.body.id}`).expect(200);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
  });

  it('lets an admin revoke anyone’s key, and records when a key was last used', async () => {
    const someone = await t.createUser();
    const unused = await t.http.get(`/api/keys?userId=${someone.user.id}`).expect(200);
    expect(unused.body[0].lastUsedAt).toBeNull();
    await someone.http.get('/api/users/me').expect(200);
    const before = await t.http.get(`/api/keys?userId=${someone.user.id}`).expect(200);
    expect(Date.parse(before.body[0].lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
    await t.http.delete(`/api/keys/${before.body[0].id}`).expect(200);
    await someone.http.get('/api/users/me').expect(401);
  });
});

describe('what a user who is not an admin may do', () => {
  it('answers 403 on admin-only collections and 404 on other users and their keys', async () => {
    const ada = await t.createUser();
    const bob = await t.createUser();
    const adaKey = await ada.http.post('/api/keys').send({ name: 'ada extra' }).expect(201);

    expect((await bob.http.get('/api/users').expect(403)).body.message).toBe(
      'Only administrators can list users.',
    );
    await bob.http.post('/api/users').send({ email: 'x@example.com' }).expect(403);
    await bob.http.get(`/api/users/${ada.user.id}`).expect(404);
    await bob.http.get(`/api/users/${t.user.user.id}`).expect(404);
    await bob.http.get(`/api/keys?userId=${ada.user.id}`).expect(404);
    await bob.http.post('/api/keys').send({ name: 'sneaky', userId: ada.user.id }).expect(404);
    await bob.http.delete(`/api/keys/${adaKey.body.id}`).expect(404);
    await request(t.url).get('/api/users/me').set('X-API-Key', adaKey.body.key).expect(200);

    // Their own things they can see.
    await bob.http.get(`/api/users/${bob.user.id}`).expect(200);
    const own = await bob.http.get('/api/keys').expect(200);
    expect(own.body.map((key: { userId: string }) => key.userId)).toEqual([bob.user.id]);
    await bob.http.get('/api/keys/not-a-uuid').expect(404);
  });
});

describe('pages: sessions, CSRF and headers', () => {
  it('signs in through the form with a signed, http-only, SameSite cookie and returns to `next`', async () => {
    const agent = request.agent(t.url);
    const form = await agent.get('/login?next=%2Fkeys').set('Accept', 'text/html').expect(200);
    const res = await agent
      .post('/login')
      .type('form')
      .send({
        key: t.user.key,
        next: hiddenField(form.text, 'next'),
        _csrf: hiddenField(form.text, '_csrf'),
      })
      .expect(303);
    expect(res.headers.location).toBe('/keys');
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) =>
      c.startsWith('conveyor_session='),
    )!;
    expect(cookie).toMatch(/^conveyor_session=s%3A/); // signed
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).not.toContain(t.user.key);
    const page = await agent.get('/keys').set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('data-testid="account-email">admin@localhost<');
  });

  it('refuses a wrong key and a forged form on the login page', async () => {
    const agent = request.agent(t.url);
    const form = await agent.get('/login').set('Accept', 'text/html').expect(200);
    const token = hiddenField(form.text, '_csrf');
    const wrong = await agent
      .post('/login')
      .type('form')
      .send({ key: `cvk_${'C'.repeat(43)}`, _csrf: token })
      .expect(401);
    expect(wrong.text).toContain('That key is not valid.');
    // A form posted from elsewhere carries no token matching the cookie.
    const forged = await request(t.url)
      .post('/login')
      .type('form')
      .send({ key: t.user.key, _csrf: token })
      .expect(403);
    expect(forged.text).toContain('The sign-in form expired');
    expect(forged.headers['set-cookie']?.toString() ?? '').not.toContain('conveyor_session=s');
  });

  it('only redirects to paths on this site after login', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
      const agent = request.agent(t.url);
      const form = await agent.get('/login').set('Accept', 'text/html').expect(200);
      const res = await agent
        .post('/login')
        .type('form')
        .send({ key: t.user.key, next, _csrf: hiddenField(form.text, '_csrf') })
        .expect(303);
      expect(res.headers.location).toBe('/');
    }
  });

  it('requires the session CSRF token on page forms, but not on API-key requests', async () => {
    const someone = await t.createUser();
    const { agent, csrfToken } = await t.signIn(someone.key);
    const missing = await agent
      .post('/keys')
      .set('Accept', 'text/html')
      .type('form')
      .send({ name: 'x' });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('Missing security token');
    const wrong = await agent
      .post('/keys')
      .set('Accept', 'text/html')
      .type('form')
      .send({ name: 'x', _csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    // The session cookie on the API needs the token too (page scripts send the header).
    await agent.post('/api/keys').send({ name: 'from a script' }).expect(403);
    await agent
      .post('/api/keys')
      .set('X-CSRF-Token', csrfToken)
      .send({ name: 'from a script' })
      .expect(201);
    const created = await agent
      .post('/keys')
      .set('Accept', 'text/html')
      .type('form')
      .send({ name: 'from the page', _csrf: csrfToken })
      .expect(201);
    // Shown once, in the page that answers the form, and it works.
    const shown = /value="(cvk_[A-Za-z0-9_-]{43})"/.exec(created.text)?.[1];
    await request(t.url).get('/api/users/me').set('X-API-Key', shown!).expect(200);
    const reloaded = await agent.get('/keys').set('Accept', 'text/html').expect(200);
    expect(reloaded.text).not.toContain(shown);
    await someone.http.post('/api/keys').send({ name: 'API clients need no token' }).expect(201);
    const keys = await someone.http.get('/api/keys').expect(200);
    expect(keys.body.map((key: { name: string }) => key.name).sort()).toEqual([
      'API clients need no token',
      'first key',
      'from a script',
      'from the page',
    ]);
  });

  it('ends the session on logout, and when its key is revoked', async () => {
    const someone = await t.createUser();
    const first = await t.signIn(someone.key);
    await first.agent
      .post('/logout')
      .set('Accept', 'text/html')
      .type('form')
      .send({ _csrf: first.csrfToken })
      .expect(303)
      .expect('Location', '/login?signedOut=1');
    await first.agent
      .get('/')
      .set('Accept', 'text/html')
      .expect(303)
      .expect('Location', '/login?next=%2F');

    const second = await t.signIn(someone.key);
    await second.agent.get('/').set('Accept', 'text/html').expect(200);
    const [key] = (await someone.http.get('/api/keys').expect(200)).body as { id: string }[];
    await t.http.delete(`/api/keys/${key.id}`).expect(200);
    await second.agent.get('/').set('Accept', 'text/html').expect(303);
  });

  it('ignores a session cookie whose signature is wrong', async () => {
    const { agent } = await t.signIn();
    const page = await agent.get('/').set('Accept', 'text/html').expect(200);
    expect(page.status).toBe(200);
    const forged = await request(t.url)
      .get('/')
      .set('Accept', 'text/html')
      .set('Cookie', 'conveyor_session=s%3Aforged.value')
      .expect(303);
    expect(forged.headers.location).toBe('/login?next=%2F');
  });

  it("answers another user's key on the keys page with 404, and revokes one's own", async () => {
    const ada = await t.createUser();
    const bob = await t.createUser();
    const { agent, csrfToken } = await t.signIn(bob.key);
    const adaKeys = (await ada.http.get('/api/keys').expect(200)).body as { id: string }[];
    await agent
      .post(`/keys/${adaKeys[0].id}/revoke`)
      .set('Accept', 'text/html')
      .type('form')
      .send({ _csrf: csrfToken })
      .expect(404);
    await ada.http.get('/api/users/me').expect(200);
    const spare = await bob.http.post('/api/keys').send({ name: 'spare' }).expect(201);
    const res = await agent
      .post(`/keys/${spare.body.id}/revoke`)
      .set('Accept', 'text/html')
      .type('form')
      .send({ _csrf: csrfToken })
      .expect(303);
    expect(res.headers.location).toBe(`/keys?revoked=${spare.body.id}`);
    const page = await agent.get(res.headers.location).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('Revoked “spare”');
  });

  it('lets administrators, and only them, add users on the users page', async () => {
    const admin = await t.signIn();
    const page = await admin.agent.get('/users').set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('<h1>Users</h1>');
    const created = await admin.agent
      .post('/users')
      .set('Accept', 'text/html')
      .type('form')
      .send({ email: 'Lin@Example.com', admin: 'on', _csrf: admin.csrfToken })
      .expect(201);
    expect(created.text).toContain('lin@example.com can now sign in');
    const shown = /value="(cvk_[A-Za-z0-9_-]{43})"/.exec(created.text)?.[1];
    const me = await request(t.url).get('/api/users/me').set('X-API-Key', shown!).expect(200);
    expect(me.body).toMatchObject({ email: 'lin@example.com', isAdmin: true });
    const taken = await admin.agent
      .post('/users')
      .set('Accept', 'text/html')
      .type('form')
      .send({ email: 'lin@example.com', _csrf: admin.csrfToken })
      .expect(409);
    expect(taken.text).toContain('A user with the email lin@example.com already exists.');

    const someone = await t.createUser();
    const user = await t.signIn(someone.key);
    await user.agent.get('/users').set('Accept', 'text/html').expect(404);
    await user.agent
      .post('/users')
      .set('Accept', 'text/html')
      .type('form')
      .send({ email: 'x@example.com', _csrf: user.csrfToken })
      .expect(404);
  });

  it('sends a Content-Security-Policy without inline scripts, and the usual security headers', async () => {
    const res = await request(t.url).get('/login').set('Accept', 'text/html').expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("script-src-attr 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    // No inline <script> in the page itself.
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
