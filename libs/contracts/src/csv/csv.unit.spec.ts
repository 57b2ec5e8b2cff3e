import { formatCsv, formatCsvField, parseCsv } from './csv';

describe('parseCsv', () => {
  it('splits records and fields, numbering records by their first line', () => {
    expect(parseCsv('a,b,c\n1,2,3\n')).toEqual({
      records: [
        { line: 1, fields: ['a', 'b', 'c'] },
        { line: 2, fields: ['1', '2', '3'] },
      ],
      errors: [],
    });
  });

  it('reads quoted fields with commas, doubled quotes and line breaks, and counts the lines they span', () => {
    const { records } = parseCsv(
      'id,comment\r\n1,"done, finally"\r\n2,"she said ""no""\r\nthen yes"\r\n3,last',
    );
    expect(records).toEqual([
      { line: 1, fields: ['id', 'comment'] },
      { line: 2, fields: ['1', 'done, finally'] },
      { line: 3, fields: ['2', 'she said "no"\r\nthen yes'] },
      { line: 5, fields: ['3', 'last'] },
    ]);
  });

  it('ignores a UTF-8 byte-order mark and blank lines, keeps empty fields', () => {
    const { records } = parseCsv('\uFEFForderId,result\n\n  \nx,\n,\n');
    expect(records).toEqual([
      { line: 1, fields: ['orderId', 'result'] },
      { line: 3, fields: ['  '] },
      { line: 4, fields: ['x', ''] },
      { line: 5, fields: ['', ''] },
    ]);
  });

  it('accepts old Mac line ends (CR only) and a last line without a line end', () => {
    expect(parseCsv('a\rb').records.map((r) => r.fields)).toEqual([['a'], ['b']]);
  });

  it('reports an unclosed quote at the line where its record starts', () => {
    const { records, errors } = parseCsv('a,b\n1,"open\n2,3\n');
    expect(records).toEqual([{ line: 1, fields: ['a', 'b'] }]);
    expect(errors).toEqual([{ line: 2, message: 'a quoted field is not closed (missing ")' }]);
  });

  it('keeps a quote in the middle of an unquoted field as written', () => {
    expect(parseCsv('5" disk,x').records[0].fields).toEqual(['5" disk', 'x']);
  });
});

describe('formatCsv', () => {
  it('quotes only what needs it and ends every record with CRLF', () => {
    expect(
      formatCsv([
        ['id', 'text'],
        ['1', 'a, "b"\nc'],
        [2, null],
      ]),
    ).toBe('id,text\r\n1,"a, ""b""\nc"\r\n2,\r\n');
  });

  it('writes objects as JSON and keeps edge spaces by quoting', () => {
    expect(formatCsvField({ a: 1, b: 'x' })).toBe('"{""a"":1,""b"":""x""}"');
    expect(formatCsvField(' padded')).toBe('" padded"');
  });

  it('defuses texts a spreadsheet would run as formulas', () => {
    expect(formatCsvField('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(formatCsvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(formatCsvField(-3)).toBe('-3'); // numbers are data, not formulas
  });

  it('quotes every field when asked (as the console downloads do), still defusing formulas', () => {
    expect(
      formatCsv(
        [
          ['id', 'n', '+1 555'],
          ['o-1', null, { a: 1 }],
        ],
        { quoteAll: true },
      ),
    ).toBe('"id","n","\'+1 555"\r\n"o-1","","{""a"":1}"\r\n');
  });

  it('reads back what it wrote', () => {
    const rows = [
      ['orderId', 'attributes'],
      ['o-1', JSON.stringify({ displayName: 'Chloé "CD" Dubois', note: 'a,b\nc' })],
    ];
    expect(parseCsv(formatCsv(rows)).records.map((r) => r.fields)).toEqual(rows);
  });
});
