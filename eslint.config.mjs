import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.nx/**', 'apps/web/dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The domain library stays pure: no framework, no I/O, no clock.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@nestjs/*', 'pg', 'nats', 'node:*', 'fs', 'crypto'] }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'time comes in on the command' },
        { object: 'Math', property: 'random', message: 'ids come in on the command' },
      ],
    },
  },
  {
    // Every decision and fold runs here, per event; tests may spread as they like (ADR 0089).
    files: ['libs/domain/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/domain/src/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ObjectExpression > SpreadElement:first-child ~ Property',
          message:
            "a property after a leading spread takes V8's slow path in Node 20: copyWith(base, { ... }) or eventData(head, { ... })",
        },
      ],
    },
  },
  {
    // Formats the console bundles too: no framework, no Node modules.
    files: ['libs/contracts/src/csv/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@nestjs/*', '@prov/*', 'class-validator', 'node:*', 'fs'] },
      ],
    },
  },
  {
    // The console: the rules of hooks and the React Compiler's checks; a missing dependency is an error, not a hint.
    files: ['apps/web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat['recommended-latest'],
    rules: { ...reactHooks.configs.flat['recommended-latest'].rules, 'react-hooks/exhaustive-deps': 'error' },
  },
);
