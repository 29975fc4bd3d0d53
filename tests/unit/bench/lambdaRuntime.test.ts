import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lambdaRuntimeNodeArgs, templateMemorySizeMb } from '../../../bench/lambdaRuntime';

describe('the Lambda runtime emulation of the bench', () => {
  it('gives node the flags the Node.js runtime bootstrap derives from the function memory', () => {
    expect(lambdaRuntimeNodeArgs(320)).toEqual(['--expose-gc', '--max-semi-space-size=16', '--max-old-space-size=288']);
    expect(lambdaRuntimeNodeArgs(1024)).toEqual(['--expose-gc', '--max-semi-space-size=51', '--max-old-space-size=922']);
  });

  it('reads the MemorySize default of template.yaml, and refuses a template without one', () => {
    const templatePath = join(__dirname, '..', '..', '..', 'template.yaml');
    expect(templateMemorySizeMb(templatePath)).toBe(320);
    const broken = join(mkdtempSync(join(tmpdir(), 'template-')), 'template.yaml');
    writeFileSync(broken, readFileSync(templatePath, 'utf8').replace(/^ {4}Default: 320$/m, '    Default: lots'));
    expect(() => templateMemorySizeMb(broken)).toThrow('MemorySize.Default is not an integer');
  });
});
