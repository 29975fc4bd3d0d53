import { randomBytes } from 'node:crypto';
import { SEALED_VALUE_PREFIX, SecretCipher, SecretValueError, SecretsError } from '../../../lib/secrets';

const PATH = 'resources/secrets/namespaces/shop/db.json';
const secret = (fields: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop', labels: { app: 'shop' } }, type: 'Opaque', ...fields,
});
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('SecretCipher', () => {
  const newCipher = () => new SecretCipher(randomBytes(32));

  it('seals every data and stringData value and opens them back exactly, leaving the rest readable', () => {
    const cipher = newCipher();
    const original = secret({ data: { password: b64('hunter2-canary'), user: b64('admin') }, stringData: { token: 'plain-canary' } });
    const sealed = cipher.sealObject(PATH, original);
    expect(sealed.metadata).toEqual(original.metadata);
    expect(sealed.type).toBe('Opaque');
    const data = sealed.data as Record<string, string>;
    expect(Object.keys(data)).toEqual(['password', 'user']);
    for (const v of [...Object.values(data), ...Object.values(sealed.stringData as Record<string, string>)]) expect(v.startsWith(SEALED_VALUE_PREFIX)).toBe(true);
    const text = JSON.stringify(sealed);
    for (const plain of ['hunter2-canary', b64('hunter2-canary'), 'plain-canary', b64('plain-canary')]) expect(text).not.toContain(plain);
    expect(cipher.openObject(PATH, sealed)).toEqual(original);
  });

  it('binds a value to its archive path: the same value under another object does not open', () => {
    const cipher = newCipher();
    const sealed = cipher.sealObject(PATH, secret({ data: { password: b64('x') } }));
    const err = (() => { try { cipher.openObject('resources/secrets/namespaces/shop/other.json', sealed); } catch (e) { return e; } return undefined; })();
    expect(err).toBeInstanceOf(SecretValueError);
    expect(err).toMatchObject({ path: 'resources/secrets/namespaces/shop/other.json', field: 'data.password' });
  });

  it('binds a value to its field and key: swapping two values of one Secret does not open', () => {
    const cipher = newCipher();
    const sealed = cipher.sealObject(PATH, secret({ data: { a: b64('1'), b: b64('2') } }));
    const data = sealed.data as Record<string, string>;
    expect(() => cipher.openObject(PATH, { ...sealed, data: { a: data.b, b: data.a } })).toThrow(SecretValueError);
    expect(() => cipher.openObject(PATH, { ...sealed, data: {}, stringData: { a: data.a } })).toThrow(/stringData\.a does not open/);
  });

  it('refuses a value whose ciphertext, IV or tag was altered, or that was sealed with another key', () => {
    const cipher = newCipher();
    const sealed = cipher.sealObject(PATH, secret({ data: { password: b64('hunter2') } }));
    const value = (sealed.data as Record<string, string>).password!;
    const bytes = Buffer.from(value.slice(SEALED_VALUE_PREFIX.length), 'base64');
    for (const at of [0, 12, bytes.length - 1]) {
      const flipped = Buffer.from(bytes);
      flipped[at]! ^= 0x01;
      expect(() => cipher.openObject(PATH, { ...sealed, data: { password: SEALED_VALUE_PREFIX + flipped.toString('base64') } })).toThrow(/data\.password does not open/);
    }
    expect(() => newCipher().openObject(PATH, sealed)).toThrow(SecretValueError);
  });

  it('refuses a plain value in place of a sealed one, and says so without the value', () => {
    const cipher = newCipher();
    expect(() => cipher.openObject(PATH, secret({ data: { password: b64('swapped-in-canary') } }))).toThrow(/data\.password is not sealed/);
    try {
      cipher.openObject(PATH, secret({ data: { password: b64('swapped-in-canary') } }));
    } catch (e) {
      expect(String((e as Error).message)).not.toContain(b64('swapped-in-canary'));
    }
  });

  it('uses a fresh IV for every value: equal values seal differently, every time', () => {
    const cipher = newCipher();
    const sealed = cipher.sealObject(PATH, secret({ data: { a: b64('same'), b: b64('same') } }));
    const again = cipher.sealObject(PATH, secret({ data: { a: b64('same'), b: b64('same') } }));
    const ivs = [sealed, again].flatMap((s) => Object.values(s.data as Record<string, string>))
      .map((v) => Buffer.from(v.slice(SEALED_VALUE_PREFIX.length), 'base64').subarray(0, 12).toString('hex'));
    expect(new Set(ivs).size).toBe(4);
  });

  it('keeps Secrets without data, with empty data and with empty values as they are, and round-trips them', () => {
    const cipher = newCipher();
    for (const s of [secret(), secret({ data: {} }), secret({ data: { empty: '' } }), secret({ data: null })]) {
      expect(cipher.openObject(PATH, cipher.sealObject(PATH, s))).toEqual(s);
    }
    expect((cipher.sealObject(PATH, secret({ data: { empty: '' } })).data as Record<string, string>).empty).toMatch(/^enc:v1:/);
  });

  it('round-trips binary values (base64 of random bytes) and text in any script', () => {
    const cipher = newCipher();
    const binary = randomBytes(4096).toString('base64');
    const s = secret({ data: { 'tls.key': binary, '.dockerconfigjson': b64('{"auths":{}}') }, stringData: { note: 'pässwörd 密码 🔑' } });
    expect(cipher.openObject(PATH, cipher.sealObject(PATH, s))).toEqual(s);
  });

  it('seals JSON bytes in pieces as the backup hands them, keeping field order', () => {
    const cipher = newCipher();
    const json = JSON.stringify(secret({ data: { password: b64('hunter2') } }));
    const out = cipher.sealJson(PATH, [Buffer.from(json.slice(0, 10)), Buffer.from(json.slice(10))]);
    const parsed = JSON.parse(out.toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['apiVersion', 'kind', 'metadata', 'type', 'data']);
    expect(cipher.openObject(PATH, parsed)).toEqual(JSON.parse(json));
  });

  it('zeroes its key on dispose and refuses to work after', () => {
    const key = randomBytes(32);
    const cipher = new SecretCipher(key);
    cipher.dispose();
    expect(key.equals(Buffer.alloc(32))).toBe(true);
    expect(() => cipher.sealObject(PATH, secret({ data: { a: b64('1') } }))).toThrow(SecretsError);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new SecretCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});
