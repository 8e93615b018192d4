// Lint rules that keep workflows deterministic and promises awaited.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'fs',
  'child_process',
  'net',
  'http',
  'https',
  'crypto',
  'os',
  'path',
  'zlib',
  'stream',
  'url',
  'util',
  'worker_threads',
  'dns',
  'tls',
  'events',
  'timers',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', 'coverage/'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_' }],
    },
  },
  {
    // The product and the local stack are never built on test code; tests may import them.
    files: [
      'activities/**/*.ts',
      'schedules/**/*.ts',
      'workers/**/*.ts',
      'config/**/*.ts',
      'cli/**/*.ts',
      'stack/**/*.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/test/**'], message: 'Product code and the local stack must not import test code.' }],
        },
      ],
    },
  },
  {
    // Workflow code is replayed: no I/O, no clients, no Node builtins. Types from elsewhere are fine.
    files: ['workflows/**/*.ts', 'types/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: nodeBuiltins.flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]),
              message: 'Workflows must not use Node builtins.',
              allowTypeImports: true,
            },
            {
              group: [
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
                '@kubernetes/*',
                '@aws-sdk/*',
                'onnxruntime-*',
                'protobufjs',
                'yauzl',
                'tar-stream',
                '**/activities/*/**',
              ],
              message: 'Workflows must not import clients or activity code; call activities through proxyActivities.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
