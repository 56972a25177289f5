// Type-aware linting: no-floating-promises needs the TypeScript program.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers, lowest first. A folder imports only from its own layer and those below it:
//   domain/      deterministic core and the source-config types: no I/O, safe inside workflows
//   config/      settings and the source config's validation (reads files and the environment)
//   clickhouse/  the destination's SQL
//   activities/  all other I/O: HTTP pages, and the activities that write through clickhouse/
//   workflows/   orchestration: domain/ only, and the activities' types
//   client/, worker/, api-server/, scripts/, test/: the programs on top
const ABOVE_DOMAIN = [
  'config',
  'clickhouse',
  'activities',
  'workflows',
  'client',
  'worker',
  'api-server',
  'scripts',
  'test',
];
const folders = (names) => names.flatMap((n) => [`../${n}`, `../${n}/*`, `../../${n}`, `../../${n}/*`]);
const layer = (files, forbidden, message, allowTypeImports = false) => ({
  files,
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      { patterns: [{ group: folders(forbidden), message, allowTypeImports }] },
    ],
  },
});
const NODE_BUILT_INS = [
  'fs',
  'path',
  'os',
  'crypto',
  'http',
  'https',
  'net',
  'child_process',
  'worker_threads',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.services/**', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  layer(['domain/**/*.ts'], ABOVE_DOMAIN, 'domain/ is the deterministic core: it imports nothing above it.'),
  layer(
    ['config/**/*.ts'],
    ['clickhouse', 'activities', 'workflows', 'client', 'worker', 'api-server', 'scripts', 'test'],
    'config/ sits on domain/ only.',
  ),
  layer(
    ['clickhouse/**/*.ts'],
    ['activities', 'workflows', 'client', 'worker', 'api-server', 'scripts', 'test'],
    'clickhouse/ sits on config/ and domain/ only.',
  ),
  layer(
    ['activities/**/*.ts'],
    ['workflows', 'client', 'worker', 'api-server', 'scripts', 'test'],
    'activities/ never import the workflows or the programs above them.',
  ),
  // Workflows run in Temporal's deterministic sandbox: domain/ and the activities' types only.
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: folders(['config', 'clickhouse', 'client', 'worker', 'api-server', 'scripts', 'test']),
              message:
                'workflows/ import domain/ and the types of activities/ only (no I/O in workflow code).',
            },
            {
              group: folders(['activities']),
              message: 'workflows/ import only the types of activities/.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILT_INS.flatMap((name) => [name, `node:${name}`]).map((name) => ({
            name,
            message: 'No Node built-ins in deterministic code: I/O belongs in activities/.',
          })),
          patterns: [
            {
              group: [
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
                'node-fetch',
                '@clickhouse/*',
              ],
              message: 'No I/O libraries in deterministic code.',
            },
          ],
        },
      ],
    },
  },
);
