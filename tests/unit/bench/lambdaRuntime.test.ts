import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lambdaRuntimeNodeArgs, lambdaWallMs, templateMemorySizeMb, templateRuntimeEnv } from '../../../bench/lambdaRuntime';

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

describe('the runtime environment template.yaml gives the functions', () => {
  const templatePath = join(__dirname, '..', '..', '..', 'template.yaml');

  it('is glibc\'s malloc settings only, the same for the delegate and the durable restore function', () => {
    expect(templateRuntimeEnv(templatePath)).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
  });

  it('refuses a template whose two functions would run with different malloc settings', () => {
    const text = readFileSync(templatePath, 'utf8');
    const first = text.indexOf("MALLOC_MMAP_THRESHOLD_: '131072'");
    const skewed = join(mkdtempSync(join(tmpdir(), 'template-')), 'template.yaml');
    writeFileSync(skewed, `${text.slice(0, first)}MALLOC_MMAP_THRESHOLD_: '262144'${text.slice(first + "MALLOC_MMAP_THRESHOLD_: '131072'".length)}`);
    expect(() => templateRuntimeEnv(skewed)).toThrow('set different MALLOC_* variables');
  });
});

describe('the Lambda wall time a CPU time implies', () => {
  it('stretches the CPU over the function\'s share of a vCPU, 1 vCPU per 1,769 MB', () => {
    // 4.7 s of CPU at 320 MB: 4.7 / (320 / 1769) = 26.0 s, the figure.
    expect(lambdaWallMs(4700, 3000, 320)).toBeCloseTo(25_982, 0);
    expect(lambdaWallMs(4700, 3000, 1769)).toBe(4700);
  });

  it('is never less than the wall time measured, and no process gets more than one vCPU', () => {
    expect(lambdaWallMs(1000, 9000, 320)).toBe(9000);
    expect(lambdaWallMs(4000, 3000, 3538)).toBe(4000);
  });
});
