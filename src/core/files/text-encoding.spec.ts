import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { createChunkDecoder, detectFileEncoding } from './text-encoding.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conveyor-encoding-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function guess(bytes: Buffer) {
  const path = join(dir, `f-${Math.random().toString(36).slice(2)}`);
  await writeFile(path, bytes);
  return detectFileEncoding(path);
}

describe('detectFileEncoding', () => {
  it('follows a BOM', async () => {
    expect(await guess(Buffer.from('\uFEFFa,b'))).toEqual({ encoding: 'utf-8', bomLength: 3 });
    expect(await guess(Buffer.from([0xff, 0xfe, 0x61, 0x00]))).toEqual({
      encoding: 'utf-16le',
      bomLength: 2,
    });
    expect(await guess(Buffer.from([0xfe, 0xff, 0x00, 0x61]))).toEqual({
      encoding: 'utf-16be',
      bomLength: 2,
    });
  });

  it('finds UTF-16 without a BOM by its zero bytes', async () => {
    expect(await guess(iconv.encode('name,city\nAnn,Oslo\n', 'utf16le'))).toEqual({
      encoding: 'utf-16le',
      bomLength: 0,
    });
    expect(await guess(iconv.encode('name,city\nAnn,Oslo\n', 'utf16be'))).toEqual({
      encoding: 'utf-16be',
      bomLength: 0,
    });
  });

  it('checks the whole file for UTF-8, not a prefix: a late Windows-1252 byte decides', async () => {
    const ascii = 'id,name\n'.padEnd(3 * 1024 * 1024, 'x');
    const late = Buffer.concat([Buffer.from(ascii), iconv.encode('\n2,José\n', 'win1252')]);
    expect(await guess(late)).toEqual({ encoding: 'windows-1252', bomLength: 0 });
  });

  it('keeps UTF-8 whose characters straddle the 1 MB read chunks', async () => {
    // 'é' (2 bytes) and '€' (3 bytes) repeated so some fall across every chunk boundary.
    const text = 'é€'.repeat(900_000);
    expect(await guess(Buffer.from(text))).toEqual({ encoding: 'utf-8', bomLength: 0 });
  });
});

describe('createChunkDecoder', () => {
  it('carries characters split across chunks', () => {
    for (const encoding of ['utf-8', 'utf-16le', 'windows-1252'] as const) {
      const bytes =
        encoding === 'utf-8'
          ? Buffer.from('Zoë €')
          : iconv.encode('Zoë €', encoding === 'utf-16le' ? 'utf16le' : 'win1252');
      const decoder = createChunkDecoder(encoding);
      let text = '';
      for (let i = 0; i < bytes.length; i++) text += decoder.write(bytes.subarray(i, i + 1));
      expect(text + decoder.end()).toBe('Zoë €');
    }
  });
});
