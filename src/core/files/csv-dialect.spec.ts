import { describe, expect, it } from '@jest/globals';
import { sniffCsvDialect } from './csv-dialect.js';

describe('sniffCsvDialect', () => {
  it.each([
    ['a,b,c\n1,2,3\n', ','],
    ['a;b;c\n1;2,5;3\n', ';'],
    ['a\tb\n1\t2\n', '\t'],
    ['a|b\n1|2\n', '|'],
    // Quoted delimiters do not vote.
    ['name;note\n"Ann";"x, y, z"\n"Bob";"a, b"\n', ';'],
    ['name,note\n"Ann","a;b;c;d"\n"Bob","e;f"\n', ','],
    // A one-column file: the comma.
    ['email\nann@example.com\nbob@example.com\n', ','],
  ])('%j -> %j', (sample, delimiter) => {
    expect(sniffCsvDialect(sample, true).delimiter).toBe(delimiter);
  });
});
