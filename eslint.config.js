import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

// The doors of STYLE.md 10: only src/core/llm talks to the model SDK, only src/core/files to
// multer/csv-parse/exceljs/saxes, only src/core/config reads process.env.
const sdkDoor = {
  paths: [{ name: 'openai', message: 'Call the LLM gateway (src/core/llm) instead of the SDK.' }],
  patterns: [
    { group: ['openai/*'], message: 'Call the LLM gateway (src/core/llm) instead of the SDK.' },
  ],
};
const fileDoor = {
  paths: ['multer', 'csv-parse', 'csv-parse/sync', 'exceljs', 'saxes'].map((name) => ({
    name,
    message: 'Go through src/core/files (uploads, spreadsheets) instead.',
  })),
};
const envDoor = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Read configuration through src/core/config (AppConfig) instead of process.env.',
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'public/**',
      'test/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [...sdkDoor.paths, ...fileDoor.paths], patterns: sdkDoor.patterns },
      ],
      'no-restricted-syntax': ['error', envDoor],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/llm/**'],
    rules: { 'no-restricted-imports': ['error', sdkDoor] },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/config/**'],
    rules: { 'no-restricted-syntax': ['error', envDoor] },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/files/**', 'src/core/llm/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [...sdkDoor.paths, ...fileDoor.paths], patterns: sdkDoor.patterns },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      parserOptions: { projectService: false, project: null },
      globals: { process: 'readonly', console: 'readonly' },
    },
  },
  prettier,
);
