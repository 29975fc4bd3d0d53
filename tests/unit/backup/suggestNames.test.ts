import { didYouMean, editDistance, suggestNames } from '../../../lib/backup/suggestNames';

const RESOURCES = [
  { name: 'deployments.apps', spellings: ['deployments', 'deployments.apps'] },
  { name: 'daemonsets.apps', spellings: ['daemonsets', 'daemonsets.apps'] },
  { name: 'configmaps', spellings: ['configmaps'] },
  { name: 'cronjobs.batch', spellings: ['cronjobs', 'cronjobs.batch'] },
  { name: 'secrets', spellings: ['secrets'] },
  { name: 'services', spellings: ['services'] },
];

describe('editDistance', () => {
  it('counts inserts, deletes, substitutions and swaps of neighbours', () => {
    expect(editDistance('deploymentz', 'deployments')).toBe(1);
    expect(editDistance('confgmaps', 'configmaps')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
    expect(editDistance('shpo', 'shop')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
  });
});

describe('suggestNames', () => {
  it('suggests deployments.apps for the typo deploymentz, under its unambiguous Velero name', () => {
    expect(suggestNames('deploymentz', RESOURCES)).toEqual(['deployments.apps']);
    expect(didYouMean(suggestNames('deploymentz', RESOURCES))).toBe('; did you mean deployments.apps?');
  });

  it('matches a misspelt group too, and a singular', () => {
    expect(suggestNames('deployments.app', RESOURCES)).toEqual(['deployments.apps']);
    expect(suggestNames('secret', RESOURCES)).toEqual(['secrets']);
  });

  it('completes a name cut short (kubectl-style "deploy", "cronjob"), after closer spellings', () => {
    expect(suggestNames('deploy', RESOURCES)).toEqual(['deployments.apps']);
    expect(suggestNames('cronjob', RESOURCES)).toEqual(['cronjobs.batch']);
  });

  it('offers nothing for a name far from every candidate, rather than noise', () => {
    expect(suggestNames('widgets', RESOURCES)).toEqual([]);
    expect(didYouMean([])).toBe('');
  });

  it('offers at most three, best first, joined as a question', () => {
    const namespaces = ['team-a', 'team-b', 'team-c', 'team-d'].map((name) => ({ name }));
    expect(suggestNames('team-e', namespaces)).toEqual(['team-a', 'team-b', 'team-c']);
    expect(didYouMean(['team-a', 'team-b', 'team-c'])).toBe('; did you mean team-a, team-b or team-c?');
    expect(suggestNames('servics', RESOURCES)).toEqual(['services']);
  });
});
