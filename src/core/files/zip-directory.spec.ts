import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildZip } from '../../../test/support/factories/zip.js';
import { ZipDirectory, ZipEntryOverrunError, ZipFormatError } from './zip-directory.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conveyor-zip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function zipFile(bytes: Buffer): Promise<ZipDirectory> {
  const path = join(dir, `z-${Math.random().toString(36).slice(2)}.zip`);
  await writeFile(path, bytes);
  return ZipDirectory.open(path);
}

async function unpack(zip: ZipDirectory, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await zip.openEntry(zip.get(name)!)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('ZipDirectory', () => {
  const text = Buffer.from('hello '.repeat(1000));

  it('lists entries with their declared sizes and unpacks them', async () => {
    const zip = await zipFile(
      buildZip([
        { name: 'a.txt', data: text },
        { name: 'dir/b.xml', data: Buffer.from('<b/>') },
      ]),
    );
    expect(zip.entries.map((entry) => [entry.name, entry.uncompressedSize])).toEqual([
      ['a.txt', 6000],
      ['dir/b.xml', 4],
    ]);
    expect(zip.totalUncompressed).toBe(6004);
    expect(zip.get('a.txt')!.compressedSize).toBeLessThan(100);
    expect(await unpack(zip, 'a.txt')).toEqual(text);
  });

  it('fails an entry that unpacks past its declared size, and one that fails its CRC', async () => {
    const lying = await zipFile(
      buildZip([{ name: 'a.txt', data: text, declare: { uncompressedSize: 100, crc32: 0 } }]),
    );
    await expect(unpack(lying, 'a.txt')).rejects.toBeInstanceOf(ZipEntryOverrunError);
    const wrongCrc = await zipFile(
      buildZip([{ name: 'a.txt', data: text, declare: { uncompressedSize: 6000, crc32: 1 } }]),
    );
    await expect(unpack(wrongCrc, 'a.txt')).rejects.toThrow('a.txt fails its CRC check');
    const short = await zipFile(
      buildZip([{ name: 'a.txt', data: text, declare: { uncompressedSize: 7000, crc32: 1 } }]),
    );
    await expect(unpack(short, 'a.txt')).rejects.toThrow(
      'a.txt unpacks to 6000 bytes, not the declared 7000',
    );
  });

  it('refuses what is not a ZIP, and a truncated one', async () => {
    await expect(
      zipFile(Buffer.from('just text, long enough to look for a directory')),
    ).rejects.toThrow(new ZipFormatError('no end-of-central-directory record (not a ZIP file?)'));
    const whole = buildZip([{ name: 'a.txt', data: text }]);
    const cut = Buffer.concat([whole.subarray(0, 40), whole.subarray(whole.length - 22)]);
    await expect(zipFile(cut)).rejects.toThrow(ZipFormatError);
  });
});
