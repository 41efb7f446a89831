// Lint rules, including the layer boundaries of README.md "Layout": every layer imports only toward
// core.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const layer = (files, forbidden, message) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map((group) => ({ group: [group], message })) },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.test.ts', 'test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  layer(
    ['src/core/**'],
    [
      'node:*',
      'fastify',
      'better-sqlite3',
      'pg',
      'redis',
      '**/formats/**',
      '**/store/**',
      '**/service/**',
      '**/server/**',
      '**/client/**',
      '**/cli/**',
    ],
    'core is pure: no I/O, no node:*, no other layer.',
  ),
  layer(
    ['src/formats/**'],
    [
      'node:*',
      'fastify',
      'better-sqlite3',
      'pg',
      'redis',
      '**/store/**',
      '**/service/**',
      '**/server/**',
      '**/client/**',
      '**/cli/**',
    ],
    'formats are pure renderers: they import only core.',
  ),
  layer(
    ['src/store/**'],
    ['fastify', '**/formats/**', '**/service/**', '**/server/**', '**/client/**', '**/cli/**'],
    'store adapters import only core and their driver.',
  ),
  layer(
    ['src/service/**'],
    ['fastify', 'better-sqlite3', 'pg', '**/store/**', '**/server/**', '**/cli/**'],
    'services see the Store interface from core, never a concrete adapter or the HTTP layer.',
  ),
  layer(
    ['src/client/**'],
    ['fastify', 'better-sqlite3', 'pg', '**/store/**', '**/server/**', '**/cli/**'],
    'the upstream client knows nothing of stores or the server.',
  ),
  layer(
    ['src/server/**'],
    ['better-sqlite3', 'pg', '**/store/**', '**/cli/**'],
    'the server receives its Store; only the CLI picks an adapter.',
  ),
);
