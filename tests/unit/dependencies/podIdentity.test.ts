import {
  AccessDeniedException,
  DescribePodIdentityAssociationCommand,
  EKSClient,
  ListPodIdentityAssociationsCommand,
  ResourceNotFoundException,
  type DescribePodIdentityAssociationCommandInput,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import {
  collectPodIdentityAssociations,
  listPodIdentityAssociations,
  PodIdentityLookupError,
  type PodIdentityListItem,
} from '../../../lib/dependencies';

const ACCOUNT = '111122223333';
const eksMock = mockClient(EKSClient);
const eks = new EKSClient({ region: 'us-west-2', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });

function summary(id: string, serviceAccount: string) {
  return {
    clusterName: 'prod',
    namespace: 'shop',
    serviceAccount,
    associationId: id,
    associationArn: `arn:aws:eks:us-west-2:${ACCOUNT}:podidentityassociation/prod/${id}`,
  };
}

/** Describe answers built from the association ID: role `<id>-role`, and a target role for `a-2`. */
function describeFromId(input: DescribePodIdentityAssociationCommandInput) {
  const id = input.associationId ?? '';
  return {
    association: {
      ...summary(id, `sa-${id}`),
      roleArn: `arn:aws:iam::${ACCOUNT}:role/${id}-role`,
      ...(id === 'a-2' && { targetRoleArn: 'arn:aws:iam::444455556666:role/cross-account-target' }),
    },
  };
}

async function drain(iterable: AsyncIterable<PodIdentityListItem>): Promise<PodIdentityListItem[]> {
  const items: PodIdentityListItem[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

beforeEach(() => eksMock.reset());

describe('listPodIdentityAssociations', () => {
  it('pages with nextToken and describes every association, in order, with its role and target role', async () => {
    eksMock
      .on(ListPodIdentityAssociationsCommand)
      .resolvesOnce({ associations: [summary('a-1', 'sa-a-1'), summary('a-2', 'sa-a-2')], nextToken: 'page-2' })
      .resolvesOnce({ associations: [summary('a-3', 'sa-a-3')] });
    eksMock.on(DescribePodIdentityAssociationCommand).callsFake(describeFromId);

    const items = await drain(listPodIdentityAssociations(eks, 'prod'));

    expect(items).toEqual([
      {
        kind: 'association',
        association: {
          associationId: 'a-1',
          associationArn: `arn:aws:eks:us-west-2:${ACCOUNT}:podidentityassociation/prod/a-1`,
          namespace: 'shop',
          serviceAccount: 'sa-a-1',
          roleArn: `arn:aws:iam::${ACCOUNT}:role/a-1-role`,
        },
      },
      {
        kind: 'association',
        association: expect.objectContaining({ associationId: 'a-2', targetRoleArn: 'arn:aws:iam::444455556666:role/cross-account-target' }),
      },
      { kind: 'association', association: expect.objectContaining({ associationId: 'a-3', roleArn: `arn:aws:iam::${ACCOUNT}:role/a-3-role` }) },
    ]);
    const listCalls = eksMock.commandCalls(ListPodIdentityAssociationsCommand).map((c) => c.args[0].input);
    expect(listCalls).toEqual([
      { clusterName: 'prod', maxResults: 100, nextToken: undefined },
      { clusterName: 'prod', maxResults: 100, nextToken: 'page-2' },
    ]);
    expect(eksMock.commandCalls(DescribePodIdentityAssociationCommand)).toHaveLength(3);
  });

  it('turns AccessDenied on the list into one warning instead of throwing', async () => {
    eksMock
      .on(ListPodIdentityAssociationsCommand)
      .rejects(new AccessDeniedException({ message: 'User is not authorized to perform: eks:ListPodIdentityAssociations', $metadata: {} }));

    const result = await collectPodIdentityAssociations(eks, 'prod');

    expect(result.associations).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    const [warning] = result.warnings;
    expect(warning).toBeInstanceOf(PodIdentityLookupError);
    expect(warning).toMatchObject({ operation: 'ListPodIdentityAssociations', code: 'AccessDeniedException', clusterName: 'prod', accessDenied: true });
    expect(warning?.message).toContain('not authorized');
    expect(warning?.cause).toBeInstanceOf(AccessDeniedException);
  });

  it('warns about an association deleted between list and describe and keeps the others', async () => {
    eksMock.on(ListPodIdentityAssociationsCommand).resolves({ associations: [summary('a-1', 'x'), summary('a-gone', 'y'), summary('a-3', 'z')] });
    eksMock
      .on(DescribePodIdentityAssociationCommand)
      .callsFake(describeFromId)
      .on(DescribePodIdentityAssociationCommand, { associationId: 'a-gone' })
      .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));

    const result = await collectPodIdentityAssociations(eks, 'prod');

    expect(result.associations.map((a) => a.associationId)).toEqual(['a-1', 'a-3']);
    expect(result.warnings.map((w) => [w.operation, w.associationId, w.code, w.accessDenied])).toEqual([
      ['DescribePodIdentityAssociation', 'a-gone', 'ResourceNotFoundException', false],
    ]);
  });

  it('stops describing after AccessDenied and reports it once', async () => {
    eksMock.on(ListPodIdentityAssociationsCommand).resolves({ associations: ['a-1', 'a-2', 'a-3', 'a-4'].map((id) => summary(id, id)), nextToken: 'more' });
    eksMock.on(DescribePodIdentityAssociationCommand).rejects(new AccessDeniedException({ message: 'denied', $metadata: {} }));

    const items = await drain(listPodIdentityAssociations(eks, 'prod', { concurrency: 1 }));

    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'warning', warning: { operation: 'DescribePodIdentityAssociation', accessDenied: true } });
    expect(eksMock.commandCalls(DescribePodIdentityAssociationCommand)).toHaveLength(1);
    expect(eksMock.commandCalls(ListPodIdentityAssociationsCommand)).toHaveLength(1);
  });

  it('keeps at most `concurrency` describe calls in flight', async () => {
    const ids = Array.from({ length: 9 }, (_, i) => `a-${i}`);
    eksMock.on(ListPodIdentityAssociationsCommand).resolves({ associations: ids.map((id) => summary(id, id)) });
    let inFlight = 0;
    let maxInFlight = 0;
    eksMock.on(DescribePodIdentityAssociationCommand).callsFake(async (input: DescribePodIdentityAssociationCommandInput) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return describeFromId(input);
    });

    const result = await collectPodIdentityAssociations(eks, 'prod', { concurrency: 3 });

    expect(result.associations.map((a) => a.associationId)).toEqual(ids);
    expect(maxInFlight).toBe(3);
  });

  it('stops when the server repeats a page token instead of paging forever', async () => {
    eksMock.on(ListPodIdentityAssociationsCommand).resolves({ associations: [], nextToken: 'same' });

    const result = await collectPodIdentityAssociations(eks, 'prod');

    expect(result).toEqual({ associations: [], warnings: [] });
    expect(eksMock.commandCalls(ListPodIdentityAssociationsCommand)).toHaveLength(2);
  });

  it('throws when cancelled rather than reporting a warning', async () => {
    eksMock.on(ListPodIdentityAssociationsCommand).resolves({ associations: [] });
    const controller = new AbortController();
    controller.abort(new Error('backup cancelled'));

    await expect(collectPodIdentityAssociations(eks, 'prod', { signal: controller.signal })).rejects.toThrow('backup cancelled');
    expect(eksMock.commandCalls(ListPodIdentityAssociationsCommand)).toHaveLength(0);
  });

  it('honours the page size, clamped to the API maximum', async () => {
    eksMock.on(ListPodIdentityAssociationsCommand).resolves({ associations: [] });
    await collectPodIdentityAssociations(eks, 'prod', { pageSize: 500 });
    await collectPodIdentityAssociations(eks, 'prod', { pageSize: 20 });
    expect(eksMock.commandCalls(ListPodIdentityAssociationsCommand).map((c) => c.args[0].input.maxResults)).toEqual([100, 20]);
  });
});
