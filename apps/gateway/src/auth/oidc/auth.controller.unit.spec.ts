import { localPath } from './auth.controller';

describe('where a sign-in returns to', () => {
  it('is a path of the console', () => {
    expect(localPath('/review')).toBe('/review');
    expect(localPath('/identities/alice.martin?tab=history')).toBe('/identities/alice.martin?tab=history');
  });

  it('is never another site, a scheme or a fragment (no open redirect)', () => {
    for (const value of [
      '//evil.example/x',
      '/\\evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
      '/a b',
      '/x#session=stolen',
      '',
      undefined,
      ['/review'],
    ]) {
      expect(localPath(value)).toBe('/');
    }
  });
});
