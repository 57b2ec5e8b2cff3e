import fc from 'fast-check';
import { MalformedCommandError, parseCommandPacket } from './command-packet';
import { inspectJson } from './payload-inspection';

const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : { child: nested(depth - 1) });

describe('inspecting a payload before validators and the database see it', () => {
  it('names the field with a NUL, a lone surrogate, or too deep a nesting', () => {
    expect(inspectJson({ a: [{ b: 'x\u0000' }] }, 'body')).toEqual(
      expect.objectContaining({ field: 'body.a.0.b', rule: 'noNulCharacter' }),
    );
    expect(inspectJson({ 'k\u0000': 1 }, 'body')).toEqual(
      expect.objectContaining({ field: 'body.k\\0', rule: 'noNulCharacter' }),
    );
    expect(inspectJson({ c: 'a\ud800b' }, 'query')).toEqual(
      expect.objectContaining({ field: 'query.c', rule: 'wellFormedUnicode' }),
    );
    expect(inspectJson({ c: 'emoji 😀 is a pair' }, 'query')).toBeUndefined();
    expect(inspectJson(nested(40), 'body', 32)).toEqual(expect.objectContaining({ rule: 'maxDepth' }));
    expect(inspectJson(nested(31), 'body', 32)).toBeUndefined();
  });

  it('walks 100,000 levels without overflowing its own stack', () => {
    const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(inspectJson(JSON.parse(text), 'body', 32)?.rule).toBe('maxDepth');
    // The deepest nesting MAX_JSON_DEPTH allows: the walk recurses that far, and no further.
    expect(inspectJson(JSON.parse(text), 'body', 1000)).toMatchObject({
      rule: 'maxDepth',
      field: 'body' + '.0'.repeat(1000),
    });
  });

  it('1,000 generated JSON values: never throws, and flags exactly the strings V8 and PostgreSQL disagree on', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8, stringUnit: 'binary' }), (value) => {
        const violation = inspectJson(value, 'body', 100);
        const text = JSON.stringify(value);
        // JSON.stringify escapes exactly NUL and lone surrogates among these characters (pairs stay raw).
        const hasBadText = /\\u0000|\\ud[89a-f][0-9a-f]{2}/i.test(text);
        expect(violation !== undefined).toBe(hasBadText);
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts only complete command packets', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(parseCommandPacket(bytes('{"id":"1","pattern":"p","data":{"a":1}}'))).toEqual({
      id: '1',
      pattern: 'p',
      data: { a: 1 },
    });
    for (const bad of ['{"broken":', 'null', '[]', '{"pattern":"p","data":{}}', '{"id":"1","data":{}}']) {
      expect(() => parseCommandPacket(bytes(bad))).toThrow(MalformedCommandError);
    }
    expect(() => parseCommandPacket(new Uint8Array([0xff]))).toThrow(/not UTF-8/);
  });
});
