// Two projects: fast unit tests, and integration tests against the real local EKS stand-in
// (kube-apiserver + etcd + token webhook + moto), which globalSetup provisions and starts once.
const transform = {
  '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
};
// @kubernetes/client-node 1.x and its dependencies are ESM-only: let swc transform them too.
const transformIgnorePatterns = [
  '/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose)/)',
];

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
      setupFiles: ['<rootDir>/tests/setupEnv.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
      globalSetup: '<rootDir>/tests/standin/jest-global-setup.ts',
      globalTeardown: '<rootDir>/tests/standin/jest-global-teardown.ts',
      setupFiles: ['<rootDir>/tests/setupEnv.ts'],
    },
  ],
  // One stand-in is shared and some tests change cluster-wide state (aws-auth, authentication mode):
  // run test files one at a time.
  maxWorkers: 1,
  testTimeout: 60000,
};
