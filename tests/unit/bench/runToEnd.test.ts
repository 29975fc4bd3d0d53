import { BenchProcessError } from '../../../bench/errors';
import { runToEnd } from '../../../bench/measureProcesses';

describe('runToEnd', () => {
  it('resolves with what the command printed, its stdin given', async () => {
    const script = "let s='';process.stdin.on('data',(d)=>s+=d).on('end',()=>console.log(JSON.stringify({got:s})))";
    expect(JSON.parse(await runToEnd([process.execPath, '-e', script], { stdin: 'hello' }))).toEqual({ got: 'hello' });
  });

  it('rejects with BenchProcessError and the tail of stderr when the command fails', async () => {
    const failed = runToEnd([process.execPath, '-e', "console.error('no pages for you'); process.exit(3)"]);
    await expect(failed).rejects.toBeInstanceOf(BenchProcessError);
    await expect(failed).rejects.toThrow(/no pages for you/);
  });
});
