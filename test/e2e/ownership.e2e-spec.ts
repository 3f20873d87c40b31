import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ownershipFixtures } from '../support/ownership-fixtures.js';
import { walkOwnership, type WalkReport } from '../support/ownership-walker.js';
import {
  createNotesTable,
  LeakyNotesModule,
  TestNotesModule,
  UnfixturedModule,
} from '../support/apps/notes.app.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

// Acceptance 1 of issue 4: every route in /docs-json, walked with a second user's key against the
// first user's resources, answers 404 with the same body as a missing id. The walk covers whatever
// the document lists, so it grows with every module; a route with an id and no fixture fails it.

describe('every route of the app', () => {
  let t: TestApp;
  let report: WalkReport;

  beforeAll(async () => {
    t = await startTestApp();
    const owner = await t.createUser();
    const intruder = await t.createUser();
    report = await walkOwnership(t, ownershipFixtures, { owner, intruder });
  });

  afterAll(async () => {
    await t?.close();
  });

  it("answers a second user's key on the first user's resources exactly like a missing id", () => {
    expect(report.failures).toEqual([]);
    // The walk really ran over the account routes (and whatever modules add).
    expect(report.ownedRoutes).toEqual(
      expect.arrayContaining([
        'GET /api/users/{id}',
        'GET /api/keys/{id}',
        'DELETE /api/keys/{id}',
      ]),
    );
  });

  it('needs a key on every route but the public ones', () => {
    expect([...report.publicRoutes].sort()).toEqual([
      'GET /api/conversation-health',
      'GET /api/v1/feedme/health',
      'GET /health',
    ]);
    expect(report.keyedRoutes).toEqual(
      expect.arrayContaining(['POST /api/users', 'GET /api/users', 'GET /api/keys']),
    );
  });

  it("never lists the first user's resources to the second", () => {
    expect(report.collectionRoutes).toEqual(
      expect.arrayContaining(['GET /api/keys', 'GET /api/users/me']),
    );
  });
});

describe('the walker itself', () => {
  let t: TestApp;
  let report: WalkReport;

  beforeAll(async () => {
    t = await startTestApp({ modules: [TestNotesModule, LeakyNotesModule, UnfixturedModule] });
    await createNotesTable(t.db);
    const note = async (owner: TestUser) =>
      (
        (await owner.http.post('/api/test-notes').send({ text: 'mine' }).expect(201)).body as {
          id: string;
        }
      ).id;
    const fixtures = {
      ...ownershipFixtures,
      '/api/test-notes': async ({ owner }: { owner: TestUser }) => ({
        params: { id: await note(owner) },
      }),
      '/api/test-leaky': async ({ owner }: { owner: TestUser }) => ({
        params: { id: await note(owner) },
      }),
    };
    report = await walkOwnership(t, fixtures, {
      owner: await t.createUser(),
      intruder: await t.createUser(),
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('passes a module that scopes every read and write with OwnedRepository', () => {
    expect(report.ownedRoutes).toEqual(
      expect.arrayContaining([
        'GET /api/test-notes/{id}',
        'PATCH /api/test-notes/{id}',
        'DELETE /api/test-notes/{id}',
        'POST /api/test-notes/{id}/attachments',
      ]),
    );
    expect(report.failures.filter((f) => f.includes('/api/test-notes'))).toEqual([]);
  });

  it('names a route that leaks, one whose 404 tells "someone else\'s" from "missing", and one without a fixture', () => {
    expect(report.failures).toEqual([
      "GET /api/test-leaky/notes/{id} as user B: answered 200 for user A's resource",
      expect.stringMatching(
        /^GET \/api\/test-leaky\/tells\/\{id\} as user B: the 404 bodies differ/,
      ),
      'GET /api/test-unfixtured/{thing}: no ownership fixture. Add one for its path prefix to test/support/ownership-fixtures.ts',
    ]);
  });
});
