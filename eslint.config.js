// ESLint flat config. The point is the type-aware promise rules: a promise nobody awaits or
// catches (a floating one, or one handed to a callback that ignores it) loses its rejection and its
// ordering, which is how reactions on one Slack message can end up applied out of order.
// typescript-eslint reads types through the TypeScript 6 API (`typescript` in package.json is the
// @typescript/typescript6 alias); `tsc` (typecheck) is TypeScript 7 (`@typescript/native`).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: ['node_modules/', 'data/', 'demo/', 'assets/', 'docs/'],
  },
  {
    files: ['src/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts', 'bin/*.js', '*.config.ts', 'eslint.config.js'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: { ...globals.node },
      parserOptions: {
        projectService: {
          // bin/opsbot.js is plain JS (tsconfig has no allowJs) and this file is outside tsconfig.
          allowDefaultProject: ['bin/*.js', 'eslint.config.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Promises: every promise is awaited, returned, or given a .catch. `void p` is not enough:
      // it drops the rejection (the reaction-race class of bug), so ignoreVoid is off.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false, ignoreIIFE: false }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // require-await stays off: the async functions without an await here are deliberate (fakes
      // and ports implementing a Promise-returning interface, and functions like renderForecastGraph
      // that are async so a validation throw becomes a rejection); 39 reports, none a missing await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // The base rules these replace.
      'prefer-promise-reject-errors': 'off',
      'no-throw-literal': 'off',
    },
  },
);
