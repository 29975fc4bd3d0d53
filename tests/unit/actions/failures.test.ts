import { invalidInput, operationalFailure, secretsKeyFailure } from '../../../handlers/actions/failures';
import { SecretKeyError } from '../../../lib/secrets';

// The failure shapes are typed now (handlers/actions/failures.ts), and their JSON is the handler's contract:
// the same fields in the same order as before they had types (issue 27 item 8).
describe('the shared FAILED responses', () => {
  const started = Date.now();

  it('bad input names every problem, in one error and as a list', () => {
    const r = invalidInput('backup', ['a is wrong', 'b is missing'], started);
    expect(Object.keys(r)).toEqual(['action', 'status', 'reason', 'error', 'problems', 'durationMs']);
    expect(r).toMatchObject({ action: 'backup', status: 'FAILED', reason: 'invalid-input', error: 'a is wrong; b is missing', problems: ['a is wrong', 'b is missing'] });
  });

  it('an operational failure names the cluster and the error', () => {
    expect(Object.keys(operationalFailure('restore', 'prod', 'S3: AccessDenied', started))).toEqual(['action', 'status', 'reason', 'clusterName', 'error', 'durationMs']);
  });

  it('an unusable Secrets key names the key, why, and KMS\'s code only when KMS answered', () => {
    const answered = secretsKeyFailure('verify-recovery-point', 'prod', new SecretKeyError('access-denied', 'k1', 'AccessDeniedException', 'decrypt'), started);
    expect(Object.keys(answered)).toEqual(['action', 'status', 'reason', 'clusterName', 'error', 'secretsKey', 'durationMs']);
    expect(answered.secretsKey).toEqual({ kmsKeyId: 'k1', reason: 'access-denied', kmsCode: 'AccessDeniedException' });
    expect(secretsKeyFailure('restore', 'prod', new SecretKeyError('access-denied', 'k1', undefined, 'decrypt'), started).secretsKey).toEqual({ kmsKeyId: 'k1', reason: 'access-denied' });
  });
});
