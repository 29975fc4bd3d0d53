import { apiErrorFromResponse } from '../../../lib/kube/responseBody';

const answer = (status: number, body: string) => ({ status, headers: {}, body: Buffer.from(body) });

describe('apiErrorFromResponse', () => {
  it('keeps the token a 410 Expired carries (kube-apiserver 1.20\'s own Status, as the stand-in served it)', () => {
    const status = {
      kind: 'Status', apiVersion: 'v1', metadata: { continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTEsInN0YXJ0IjoiYS8ifQ' }, status: 'Failure',
      message: 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      reason: 'Expired', code: 410,
    };
    const err = apiErrorFromResponse(answer(410, JSON.stringify(status)), '/api/v1/configmaps');
    expect({ status: err.status, reason: err.reason, continueToken: err.continueToken })
      .toEqual({ status: 410, reason: 'Expired', continueToken: status.metadata.continue });
  });

  it('has no token when the Status has none, an empty one, or is not JSON', () => {
    for (const body of ['{"kind":"Status","metadata":{},"reason":"Expired","code":410}', '{"metadata":{"continue":""},"code":410}', 'gone']) {
      expect(apiErrorFromResponse(answer(410, body), '/api/v1/configmaps').continueToken).toBeUndefined();
    }
  });
});
