import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { NotFoundException } from '@nestjs/common';
import {
  createNotesTable,
  TestNotesModule,
  TestNotesRepository,
} from '../support/apps/notes.app.js';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app.js';

// OwnedRepository on a real table: everything scoped to the owner, another user's id exactly like
// a missing one. (The ownership walk checks the same through HTTP for every route.)

let t: TestApp;
let notes: TestNotesRepository;
let ada: TestUser;
let bob: TestUser;

beforeAll(async () => {
  t = await startTestApp({ modules: [TestNotesModule] });
  await createNotesTable(t.db);
  notes = t.get(TestNotesRepository);
  ada = await t.createUser();
  bob = await t.createUser();
});

afterAll(async () => {
  await t?.close();
});

describe('OwnedRepository', () => {
  it('creates rows owned by the caller and refuses to create one for someone else', async () => {
    const note = await notes.insertOwned(ada.user, { text: 'ada 1' });
    expect(note.ownerId).toBe(ada.user.id);
    expect(() => notes.newOwned(ada.user, { text: 'x', ownerId: bob.user.id })).toThrow(
      'Note: refusing to create a row owned by someone else',
    );
  });

  it("reads, counts and lists only the owner's rows; others' and malformed ids are simply absent", async () => {
    const mine = await notes.insertOwned(ada.user, { text: 'ada 2' });
    const theirs = await notes.insertOwned(bob.user, { text: 'bob 1' });

    expect((await notes.findOwned(mine.id, ada.user))?.text).toBe('ada 2');
    expect(await notes.findOwned(theirs.id, ada.user)).toBeNull();
    expect(await notes.findOwned('not-a-uuid', ada.user)).toBeNull();
    await expect(notes.getOwned(theirs.id, ada.user)).rejects.toThrow(NotFoundException);
    await expect(notes.getOwned(randomUUID(), ada.user)).rejects.toThrow('Note not found');

    const listed = await notes.listOwned(ada.user, { order: { createdAt: 'ASC' } });
    expect(listed.map((note) => note.ownerId)).toEqual(listed.map(() => ada.user.id));
    // A where can narrow, never widen: asking for Bob's owner id still yields Ada's rows only.
    expect(await notes.listOwned(ada.user, { where: { ownerId: bob.user.id } })).toEqual(listed);
    expect(await notes.countOwned(bob.user)).toBe(1);
    expect(await notes.countOwned(ada.user, { text: 'ada 2' })).toBe(1);

    expect(await notes.ownedIds([mine.id, theirs.id, 'junk'], ada.user)).toEqual([mine.id]);
    const viaQuery = await notes
      .ownedQuery(ada.user, 'note')
      .andWhere('note.id IN (:...ids)', { ids: [mine.id, theirs.id] })
      .getMany();
    expect(viaQuery.map((note) => note.id)).toEqual([mine.id]);
  });

  it("cannot update or delete another user's row, nor change a row's owner", async () => {
    const theirs = await notes.insertOwned(bob.user, { text: 'bob 2' });
    expect(await notes.updateOwned(theirs.id, ada.user, { text: 'hijacked' })).toBe(false);
    expect(await notes.deleteOwned(theirs.id, ada.user)).toBe(false);
    expect((await notes.findOwned(theirs.id, bob.user))?.text).toBe('bob 2');
    await expect(
      notes.updateOwned(theirs.id, bob.user, { ownerId: ada.user.id } as never),
    ).rejects.toThrow('Note: ownership cannot be changed by update');

    expect(await notes.updateOwned(theirs.id, bob.user, { text: 'bob 2b' })).toBe(true);
    expect(await notes.deleteOwned(theirs.id, bob.user)).toBe(true);
    expect(await notes.findOwned(theirs.id, bob.user)).toBeNull();
  });
});
