import { readStreamQuery } from './stream-read';

describe('readStreamQuery', () => {
  it('names one statement per direction, so each connection plans it once', () => {
    const forwards = readStreamQuery('s', undefined, 10, 'forwards');
    const backwards = readStreamQuery('s', undefined, 10, 'backwards');
    expect(forwards.name).toBe('es.read_stream/forwards');
    expect(backwards.name).toBe('es.read_stream/backwards');
    expect(readStreamQuery('t', 3n, 1, 'forwards').text).toBe(forwards.text);
  });

  it('passes the whole stream as a bound, never NULL, so the generic plan scans from it', () => {
    expect(readStreamQuery('s', undefined, 7, 'forwards').values).toEqual(['s', '0', 7]);
    expect(readStreamQuery('s', undefined, 7, 'backwards').values).toEqual(['s', '9223372036854775807', 7]);
    expect(readStreamQuery('s', 12n, 7, 'backwards').values).toEqual(['s', '12', 7]);
  });
});
