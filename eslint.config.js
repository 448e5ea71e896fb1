// Lint: typescript-eslint's recommended rules, plus import boundaries that keep the engine generic.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.infra/**', '.cache/**', 'src/ui/static/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The engine knows nothing of Metis: it may not import the domain layers.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/edm/**', '**/steps/**', '**/pipeline/**', '**/store/**', '**/api/**'] }],
    },
  },
  {
    // Steps are plain functions: no runtime, no database, no HTTP framework.
    files: ['src/steps/**/*.ts', 'src/edm/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/engine/**', '**/pipeline/**', '**/api/**', 'pg', '@electric-sql/pglite', 'fastify', '@confluentinc/*'] }],
    },
  },
);
