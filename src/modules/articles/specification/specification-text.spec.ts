import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDocx, makePdf } from '../../../../test/support/factories/documents.js';
import { readSpecificationText } from './specification-text.js';

let dir: string;
const file = async (name: string, data: Buffer | string) => {
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spec-text-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reading a specification as text', () => {
  it('reads the text layer of a PDF', async () => {
    const path = await file('spec.pdf', makePdf(['Widget A (steel)', 'Weight: 2.5 kg']));
    const read = await readSpecificationText(path, 'pdf');
    expect(read.readable).toBe(true);
    expect(read.readable && read.text).toContain('Weight: 2.5 kg');
    expect(read.readable && read.text).toContain('Widget A (steel)');
  });

  it('reads the paragraphs of a DOCX', async () => {
    const path = await file('spec.docx', makeDocx(['Widget B', 'Net weight: 5.51 lb']));
    const read = await readSpecificationText(path, 'docx');
    expect(read).toEqual({ readable: true, text: 'Widget B\n\nNet weight: 5.51 lb' });
  });

  it('reads HTML without scripts and styles', async () => {
    const path = await file(
      'spec.html',
      '<html><head><style>p{}</style><script>var weight="9 kg"</script></head><body><h1>Widget</h1><p>Weight: 2.5 kg</p></body></html>',
    );
    const read = await readSpecificationText(path, 'html');
    expect(read.readable && read.text).toContain('Weight: 2.5 kg');
    expect(read.readable && read.text).not.toContain('9 kg');
  });

  it('decodes text in the encoding the whole file shows', async () => {
    // Windows-1252: 0x96 is an en dash, 0xE4 an a-umlaut.
    const bytes = Buffer.concat([
      Buffer.from('Gewicht: 2,5 kg '),
      Buffer.from([0x96]),
      Buffer.from(' Stahl, gr'),
      Buffer.from([0xe4]),
      Buffer.from('ulich'),
    ]);
    const path = await file('spec.txt', bytes);
    const read = await readSpecificationText(path, 'text');
    expect(read).toEqual({ readable: true, text: 'Gewicht: 2,5 kg – Stahl, gräulich' });
  });

  it('records an image as not readable, saying why', async () => {
    const read = await readSpecificationText(join(dir, 'none.png'), 'png');
    expect(read.readable).toBe(false);
    expect(!read.readable && read.reason).toContain('image (PNG)');
  });

  it('says so when a document has no text', async () => {
    const path = await file('empty.txt', '   \n');
    expect(await readSpecificationText(path, 'text')).toEqual({
      readable: false,
      reason: 'The specification contains no text.',
    });
  });
});
