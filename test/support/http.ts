import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';

export interface TestUser {
  user: { id: string; email: string; isAdmin: boolean };
  /** The user's API key (plaintext, as handed out once). */
  key: string;
  http: KeyedHttp;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head';

/** supertest requests that carry an API key: `http.post('/api/keys').send({...}).expect(201)`. */
export type KeyedHttp = Record<Method, (path: string) => request.Test>;

export function keyedHttp(url: string, key: string): KeyedHttp {
  const methods: Method[] = ['get', 'post', 'put', 'patch', 'delete', 'head'];
  return Object.fromEntries(
    methods.map((method) => [
      method,
      (path: string) => request(url)[method](path).set('X-API-Key', key),
    ]),
  ) as KeyedHttp;
}

export interface SignedInBrowser {
  /** Keeps the session cookie, sends Accept: text/html like a browser. */
  agent: TestAgent;
  /** The session's CSRF token, for page forms (`_csrf`) and page scripts (`X-CSRF-Token`). */
  csrfToken: string;
}

/** Signs in through the login form, as a browser would. */
export async function signIn(url: string, key: string): Promise<SignedInBrowser> {
  const agent = request.agent(url);
  const form = await agent.get('/login').set('Accept', 'text/html').expect(200);
  const loginToken = hiddenField(form.text, '_csrf');
  await agent
    .post('/login')
    .set('Accept', 'text/html')
    .type('form')
    .send({ key, next: '/', _csrf: loginToken })
    .expect(303)
    .expect('Location', '/');
  const page = await agent.get('/keys').set('Accept', 'text/html').expect(200);
  const csrfToken = /<meta name="csrf-token" content="([^"]+)">/.exec(page.text)?.[1];
  if (!csrfToken) throw new Error('signed in, but the page carries no CSRF token');
  return { agent, csrfToken };
}

export function hiddenField(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  if (value === undefined) throw new Error(`no hidden field ${name} in the page`);
  return value;
}
