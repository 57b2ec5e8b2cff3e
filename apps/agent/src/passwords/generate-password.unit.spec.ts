import { generatePassword } from './generate-password';

describe('generated passwords', () => {
  it('have the length asked for and a character of every class', () => {
    for (let i = 0; i < 200; i++) {
      const password = generatePassword(12);
      expect(password).toHaveLength(12);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(/[^A-Za-z0-9]/);
      expect(password).not.toMatch(/[0O1lI\s"'\\$`]/);
    }
  });

  it('are not repeated', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => generatePassword(20)));
    expect(seen.size).toBe(1000);
  });

  it('may be shorter than the four classes (a target then refuses them with its reason)', () => {
    expect(generatePassword(2)).toHaveLength(2);
    expect(() => generatePassword(0)).toThrow(RangeError);
  });
});
