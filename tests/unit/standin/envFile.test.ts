import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvFile, renderEnvFile } from '../../standin/envFile';

describe('the stand-in environment file', () => {
  const vars = { CLUSTER_NAME: 'standin', AWS_SESSION_TOKEN: "a'b c$HOME`x`", RECOVERY_PREFIX: 'eks/' };

  it('is sourced by a real shell into exactly the values written (quotes, spaces and $ kept)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'envfile-')), 'primary.env');
    writeFileSync(file, renderEnvFile('the stand-in\nsecond line', vars));
    const out = execFileSync('bash', ['-c', `source "$1" && printf '%s\\n' "$CLUSTER_NAME" "$AWS_SESSION_TOKEN" "$RECOVERY_PREFIX"`, 'bash', file], { encoding: 'utf8' });
    expect(out.split('\n').slice(0, 3)).toEqual(['standin', "a'b c$HOME`x`", 'eks/']);
  });

  it('reads back what it writes', () => {
    expect(parseEnvFile(renderEnvFile('c', vars))).toEqual(vars);
  });

  it('refuses a name a shell cannot export', () => {
    expect(() => renderEnvFile('c', { 'not-a-name': 'x' })).toThrow(/not-a-name/);
  });
});
