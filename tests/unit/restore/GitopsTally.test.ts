import { GitopsTally } from '../../../lib/restore/GitopsTally';

describe('GitopsTally', () => {
  const held = ['spec.suspend'];
  it('counts what was written held (and, in a dry run, what waits for its CRD), warns about what existed', () => {
    const tally = new GitopsTally('pause');
    tally.note({ resource: 'kustomizations.kustomize.toolkit.fluxcd.io', name: 'a', outcome: 'created', gitopsHeld: held }, 'flux-dr');
    tally.note({ resource: 'kustomizations.kustomize.toolkit.fluxcd.io', name: 'b', outcome: 'skipped', skipped: 'needsCrd', gitopsHeld: held }, 'flux');
    tally.note({ resource: 'kustomizations.kustomize.toolkit.fluxcd.io', name: 'c', outcome: 'exists', skipped: 'exists', gitopsHeld: held }, 'flux');
    tally.note({ resource: 'kustomizations.kustomize.toolkit.fluxcd.io', name: 'd', outcome: 'failed', gitopsHeld: held }, 'flux');
    tally.note({ resource: 'configmaps', name: 'e', outcome: 'created' }, 'flux');
    expect(tally.summary()).toEqual({ mode: 'pause', paused: 2, objects: [
      { resource: 'kustomizations.kustomize.toolkit.fluxcd.io', namespace: 'flux-dr', name: 'a', held },
      { resource: 'kustomizations.kustomize.toolkit.fluxcd.io', namespace: 'flux', name: 'b', held },
    ] });
    expect(tally.warning()).toBe('gitops pause: 1 GitOps applier(s) existed in the recovery cluster and were not written, so this restore did not pause them: kustomizations.kustomize.toolkit.fluxcd.io flux/c');
  });

  it('says nothing when gitops is off', () => {
    const tally = new GitopsTally('off');
    tally.note({ resource: 'configmaps', name: 'e', outcome: 'created' }, 'x');
    expect(tally.summary()).toBeUndefined();
    expect(tally.warning()).toBeUndefined();
  });
});
