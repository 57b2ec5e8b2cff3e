import { copyChunks, copyField } from './copy-rows';

describe('COPY text format', () => {
  it('escapes the characters COPY gives a meaning to, and writes null as \\N', () => {
    expect(copyField('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyField(null)).toBe('\\N');
    expect(copyField(undefined)).toBe('\\N');
    expect(copyField('\\N')).toBe('\\\\N'); // the text "\N" stays text, not null
  });

  it('writes objects as JSON (escaped like any text), dates as ISO instants, scalars as text', () => {
    expect(copyField({ path: 'C:\\x', note: 'two\nlines' })).toBe(
      '{"path":"C:\\\\\\\\x","note":"two\\\\nlines"}',
    );
    // JSON escapes quotes and control characters with a backslash, which COPY then needs doubled.
    expect(copyField({ q: 'say "hi"', tab: 'a\tb' })).toBe('{"q":"say \\\\"hi\\\\"","tab":"a\\\\tb"}');
    expect(copyField({ plain: 'no escapes', n: [1, null] })).toBe('{"plain":"no escapes","n":[1,null]}');
    expect(copyField(new Date('2026-11-01T10:00:00.000Z'))).toBe('2026-11-01T10:00:00.000Z');
    expect([copyField(3), copyField(12n), copyField(true), copyField('')]).toEqual(['3', '12', 'true', '']);
  });

  it('joins rows into lines of tab-separated fields, in chunks that split only between lines', () => {
    const rows = Array.from({ length: 5 }, (_, i) => [`r${i}`, i, null]);
    const chunks = [...copyChunks(rows, 20)];
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((chunk) => chunk.endsWith('\n'))).toBe(true);
    expect(chunks.join('')).toBe(rows.map((_, i) => `r${i}\t${i}\t\\N\n`).join(''));
  });
});
