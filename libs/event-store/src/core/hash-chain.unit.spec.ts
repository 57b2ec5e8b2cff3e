import { CHAIN_START, StreamChainCheck, canonicalJson, eventHash } from './hash-chain';

describe('canonicalJson (as PostgreSQL prints jsonb)', () => {
  it('orders keys by length, then bytes, with jsonb spacing', () => {
    expect(canonicalJson({ bb: 1, a: { z: [], y: {} }, c: 'x' })).toBe(
      '{"a": {"y": {}, "z": []}, "c": "x", "bb": 1}',
    );
  });

  it('prints numbers in plain notation, as numeric does', () => {
    expect(canonicalJson([1e21, 1.5e-7, -2.5e-8, 1e-7, 0.1, -0, 12])).toBe(
      '[1000000000000000000000, 0.00000015, -0.000000025, 0.0000001, 0.1, 0, 12]',
    );
  });

  it('escapes strings as JSON does and keeps non-ASCII', () => {
    expect(canonicalJson('é "q" \\ \n\u0001')).toBe('"é \\"q\\" \\\\ \\n\\u0001"');
  });
});

describe('eventHash and the stream check', () => {
  const content = (revision: bigint, data: unknown) => ({
    type: 'T',
    data,
    metadata: { actor: 'a' },
    revision,
  });

  it('depends on the previous hash, the content and the revision', () => {
    const first = eventHash(CHAIN_START, content(0n, { n: 1 }));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(eventHash(CHAIN_START, content(0n, { n: 1 }))).toBe(first);
    expect(eventHash(CHAIN_START, content(1n, { n: 1 }))).not.toBe(first);
    expect(eventHash(first, content(0n, { n: 1 }))).not.toBe(first);
    expect(eventHash(CHAIN_START, content(0n, { n: 2 }))).not.toBe(first);
  });

  it('names the changed link, not the ones after it; a missing predecessor anchors on the first link', () => {
    const links = [0n, 1n, 2n].map((revision) => ({
      ...content(revision, { revision: String(revision) }),
      streamName: 's',
      id: `e${revision}`,
    }));
    let previous = CHAIN_START;
    const stored = links.map((link) => ({ ...link, hash: (previous = eventHash(previous, link)) }));
    expect(new StreamChainCheck().check(stored)).toBeUndefined();
    const forged = stored.map((link, index) => (index === 1 ? { ...link, data: { forged: true } } : link));
    expect(new StreamChainCheck().check(forged)).toEqual({ streamName: 's', revision: 1n, eventId: 'e1' });
    expect(new StreamChainCheck(null).check(stored.slice(1))).toBeUndefined();
    expect(new StreamChainCheck().check([{ ...stored[0], hash: undefined }])).toEqual({
      streamName: 's',
      revision: 0n,
      eventId: 'e0',
    });
  });
});
