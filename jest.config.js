/** Jest in native ESM mode (Nest 12 is ESM-only): run through `npm run test:only`, which passes --experimental-vm-modules. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/**/*.{int-spec,e2e-spec}.ts'],
  moduleNameMapper: {
    '^@app/tasks$': '<rootDir>/libs/tasks/src/index.ts',
    '^@app/documents$': '<rootDir>/libs/documents/src/index.ts',
    '^@app/config$': '<rootDir>/libs/config/src/index.ts',
    '^@app/database$': '<rootDir>/libs/database/src/index.ts',
    '^@app/history$': '<rootDir>/libs/history/src/index.ts',
    '^@app/schedules$': '<rootDir>/libs/schedules/src/index.ts',
    '^@app/housekeeping$': '<rootDir>/libs/housekeeping/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } },
    ],
  },
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/', '<rootDir>/.worktrees/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.worktrees/'],
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
