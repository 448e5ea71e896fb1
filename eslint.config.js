// Lint: typescript-eslint's recommended rules, plus the one rule dependency-cruiser cannot see (where the
// environment is read). Import boundaries and cycles live in .dependency-cruiser.cjs (`npm run lint:deps`).
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
    // Configuration is read once at the edge (src/cli/config) and passed down as options.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration in src/cli/config and pass it down as an option.' }],
    },
  },
);
