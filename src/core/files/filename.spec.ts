import { describe, expect, it } from '@jest/globals';
import { sanitizeFilename } from './filename.js';

describe('sanitizeFilename', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\Windows\\win.ini', 'win.ini'],
    ['C:\\Users\\ann\\leads.xlsx', 'leads.xlsx'],
    ['..', 'upload'],
    ['', 'upload'],
    [undefined, 'upload'],
    ['.htaccess', 'htaccess'],
    ['report\u0000.csv', 'report.csv'],
    ['invoice\u202Egpj.exe', 'invoicegpj.exe'],
    ['a:b*c?.csv', 'a_b_c_.csv'],
    ['  spaced   out  .csv ', 'spaced out .csv'],
    ['résumé.csv', 'résumé.csv'],
    ['Cafe\u0301.txt', 'Café.txt'],
  ])('%j -> %j', (raw, expected) => {
    expect(sanitizeFilename(raw)).toBe(expected);
  });

  it('shortens long names to 200 characters and keeps the extension', () => {
    const name = sanitizeFilename(`${'a'.repeat(300)}.xlsx`);
    expect(name).toHaveLength(200);
    expect(name.endsWith('.xlsx')).toBe(true);
  });
});
