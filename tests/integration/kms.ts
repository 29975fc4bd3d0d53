import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { StandInClient } from '../standin/StandInClient';

/**
 * CreateKey on moto's KMS (signed with SigV4 like any client would) as the stand-in's admin, in the primary
 * account and the stand-in's region, returning the key's ARN.
 */
export async function createKmsKey(standIn: StandInClient, description = 'eks-delegate (test)'): Promise<string> {
  const url = new URL(standIn.conn.motoUrl);
  const body = JSON.stringify({ Description: description, KeyUsage: 'ENCRYPT_DECRYPT' });
  const signer = new SignatureV4({
    service: 'kms', region: standIn.conn.region, sha256: Hash.bind(null, 'sha256'),
    credentials: { accessKeyId: 'AKIASTANDINADMIN0000', secretAccessKey: 'standin-admin-secret' },
  });
  const signed = await signer.sign(new HttpRequest({
    method: 'POST', protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: '/', body,
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.CreateKey' },
  }));
  const res = await fetch(standIn.conn.motoUrl, { method: 'POST', headers: signed.headers, body });
  if (!res.ok) throw new Error(`KMS CreateKey: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { KeyMetadata: { Arn: string } }).KeyMetadata.Arn;
}
