import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { BodyBuilder, FixtureResult, OwnershipFixture } from './ownership-fixtures.js';
import type { TestApp, TestUser } from './test-app.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: Method[] = ['get', 'post', 'put', 'patch', 'delete'];

interface Operation {
  method: Method;
  path: string;
  /** `GET /api/keys/{id}` */
  route: string;
  params: string[];
  isPublic: boolean;
  spec: OperationSpec;
}

interface OperationSpec {
  security?: unknown[];
  requestBody?: { content?: Record<string, { schema?: Schema; example?: unknown }> };
}

interface Schema {
  $ref?: string;
  type?: string;
  example?: unknown;
  default?: unknown;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  nullable?: boolean;
}

interface OpenApiDocument {
  paths: Record<string, Partial<Record<Method, OperationSpec>>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface WalkReport {
  /** Routes with path parameters that answered the intruder exactly like a missing id. */
  ownedRoutes: string[];
  /** Routes without path parameters whose answers to the intruder held none of the owner's ids. */
  collectionRoutes: string[];
  /** Routes that refused a request without a key with 401. */
  keyedRoutes: string[];
  publicRoutes: string[];
  failures: string[];
}

/**
 * Walks every operation of the OpenAPI document:
 * - without a key, every non-public route answers 401;
 * - with user B's key, every route on user A's resource answers 404 with the same body as for an
 *   id that does not exist (request ids and the ids themselves aside);
 * - with user B's key, list routes never show A's ids;
 * - afterwards, user A still reads each of their resources (so the 404s were not a broken fixture,
 *   and B's writes changed nothing).
 */
export async function walkOwnership(
  t: TestApp,
  fixtures: Record<string, OwnershipFixture>,
  users: { owner: TestUser; intruder: TestUser },
): Promise<WalkReport> {
  const { owner, intruder } = users;
  const doc = (await request(t.url).get('/docs-json').expect(200)).body as OpenApiDocument;
  const report: WalkReport = {
    ownedRoutes: [],
    collectionRoutes: [],
    keyedRoutes: [],
    publicRoutes: [],
    failures: [],
  };
  const operations = listOperations(doc);
  const built = new Map<string, Promise<FixtureResult>>();
  const fixtureFor = (prefix: string) => {
    if (!built.has(prefix)) built.set(prefix, fixtures[prefix]({ t, owner }));
    return built.get(prefix)!;
  };
  const ownerValues = new Set<string>();
  const toVerify: { route: string; path: string; prefix: string }[] = [];

  for (const op of operations) {
    if (op.isPublic) {
      report.publicRoutes.push(op.route);
      continue;
    }
    const anonymousPath = fill(
      op.path,
      Object.fromEntries(op.params.map((p) => [p, randomUUID()])),
    );
    const anonymous = await send(t.url, op, anonymousPath, null, undefined);
    if (anonymous.status === 401) report.keyedRoutes.push(op.route);
    else
      report.failures.push(
        `${op.route}: answered ${anonymous.status} without an API key (expected 401)`,
      );

    if (op.params.length === 0) continue;
    const prefix = matchFixture(op.path, Object.keys(fixtures));
    if (!prefix) {
      report.failures.push(
        `${op.route}: no ownership fixture. Add one for its path prefix to test/support/ownership-fixtures.ts`,
      );
      continue;
    }
    let fixture: FixtureResult;
    try {
      fixture = await fixtureFor(prefix);
    } catch (error) {
      report.failures.push(
        `${op.route}: the fixture for ${prefix} failed: ${(error as Error).message}`,
      );
      continue;
    }
    const absent = op.params.filter((name) => fixture.params[name] === undefined);
    if (absent.length > 0) {
      report.failures.push(
        `${op.route}: the fixture for ${prefix} gives no value for {${absent.join('}, {')}}`,
      );
      continue;
    }
    const values = Object.fromEntries(op.params.map((name) => [name, fixture.params[name]]));
    const missing = Object.fromEntries(
      op.params.map((name) => [name, fixture.missing?.[name] ?? randomUUID()]),
    );
    for (const value of Object.values(values)) ownerValues.add(value);
    const body = fixture.bodies?.[`${op.method.toUpperCase()} ${op.path}`] ?? exampleBody(doc, op);

    const foreign = await send(t.url, op, fill(op.path, values), intruder.key, body);
    const nothing = await send(t.url, op, fill(op.path, missing), intruder.key, body);
    const problems: string[] = [];
    if (foreign.status !== 404) problems.push(`answered ${foreign.status} for user A's resource`);
    if (nothing.status !== 404) problems.push(`answered ${nothing.status} for a missing id`);
    const a = normalise(foreign.text, values);
    const b = normalise(nothing.text, missing);
    if (problems.length === 0 && a !== b)
      problems.push(`the 404 bodies differ: ${a} (user A's resource) vs ${b} (missing id)`);
    if (problems.length > 0) report.failures.push(`${op.route} as user B: ${problems.join('; ')}`);
    else report.ownedRoutes.push(op.route);
    if (op.method === 'get')
      toVerify.push({ route: op.route, path: fill(op.path, values), prefix });
  }

  // List routes: B's answers must not mention anything of A's.
  for (const op of operations.filter(
    (o) => !o.isPublic && o.params.length === 0 && o.method === 'get',
  )) {
    const res = await readSome(t.url, op.path, intruder.key);
    const leaked = [...ownerValues].filter((value) => res.text.includes(value));
    if (leaked.length > 0)
      report.failures.push(
        `${op.route} as user B: the answer contains user A's ${leaked.join(', ')}`,
      );
    else report.collectionRoutes.push(op.route);
  }

  // A still sees every resource: the fixtures were real and B's requests changed nothing.
  const verifiedPrefixes = new Set<string>();
  for (const item of toVerify) {
    const res = await readSome(t.url, item.path, owner.key);
    if (res.status >= 400)
      report.failures.push(
        `${item.route} as user A (the owner): answered ${res.status}, so the fixture for ${item.prefix} does not make a resource its owner can read, or user B's requests changed it`,
      );
    else verifiedPrefixes.add(item.prefix);
  }
  for (const prefix of built.keys())
    if (!verifiedPrefixes.has(prefix) && !toVerify.some((item) => item.prefix === prefix))
      report.failures.push(
        `${prefix}: no GET route with the fixture's parameters, so nothing shows user A owns what it made`,
      );
  return report;
}

function listOperations(doc: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const spec = item[method];
      if (!spec) continue;
      operations.push({
        method,
        path,
        route: `${method.toUpperCase()} ${path}`,
        params: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]),
        isPublic: Array.isArray(spec.security) && spec.security.length === 0,
        spec,
      });
    }
  }
  return operations;
}

/** The longest registered prefix that the path starts with, on a segment boundary. */
export function matchFixture(path: string, prefixes: string[]): string | undefined {
  return prefixes
    .filter((prefix) => path === prefix || path.startsWith(`${prefix}/`))
    .sort((a, b) => b.length - a.length)[0];
}

function fill(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name]));
}

async function send(
  url: string,
  op: Operation,
  path: string,
  key: string | null,
  body: unknown,
): Promise<{ status: number; text: string }> {
  let req = request(url)[op.method](path).timeout(15_000);
  if (key) req = req.set('X-API-Key', key);
  if (typeof body === 'function') req = (body as BodyBuilder)(req);
  else if (body !== undefined) req = req.send(body as object);
  const res = await req;
  return { status: res.status, text: res.text ?? '' };
}

/** GET that stops reading after the first 256 kB or 5 s (streams, SSE). */
async function readSome(
  url: string,
  path: string,
  key: string,
): Promise<{ status: number; text: string }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 5000);
  try {
    const res = await fetch(`${url}${path}`, {
      headers: { 'X-API-Key': key },
      signal: abort.signal,
    });
    let text = '';
    const reader = res.body?.getReader();
    const decoder = new TextDecoder();
    try {
      while (reader && text.length < 256_000) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // aborted: what arrived is enough
    }
    await reader?.cancel().catch(() => undefined);
    return { status: res.status, text };
  } finally {
    clearTimeout(timer);
  }
}

/** The body with request ids dropped and the ids of the request replaced by their names. */
function normalise(text: string, values: Record<string, string>): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  if (value && typeof value === 'object') delete (value as { requestId?: unknown }).requestId;
  let out = JSON.stringify(value);
  for (const [name, id] of Object.entries(values)) out = out.split(id).join(`{${name}}`);
  return out;
}

/** A JSON body from the OpenAPI examples, so validation passes and the ownership check decides. */
function exampleBody(doc: OpenApiDocument, op: Operation): unknown {
  const content = op.spec.requestBody?.content;
  const json = content?.['application/json'];
  if (!json) return undefined;
  if (json.example !== undefined) return json.example;
  return json.schema ? fromSchema(doc, json.schema, 0) : undefined;
}

function fromSchema(doc: OpenApiDocument, schema: Schema, depth: number): unknown {
  if (depth > 6) return undefined;
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    return target ? fromSchema(doc, target, depth + 1) : undefined;
  }
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.allOf?.length)
    return Object.assign({}, ...schema.allOf.map((part) => fromSchema(doc, part, depth + 1)));
  if (schema.oneOf?.length) return fromSchema(doc, schema.oneOf[0], depth + 1);
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (!schema.required?.includes(name) && property.example === undefined) continue;
        out[name] = fromSchema(doc, property, depth + 1);
      }
      return out;
    }
    case 'array':
      return schema.items ? [fromSchema(doc, schema.items, depth + 1)] : [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'string':
      return schema.format === 'uuid'
        ? randomUUID()
        : schema.format === 'email'
          ? 'a@example.com'
          : 'example';
    default:
      return undefined;
  }
}
