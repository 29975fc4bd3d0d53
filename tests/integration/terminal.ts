import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real terminal for the CLI (issue 27): a tmux pane on a private tmux server, so the CLI sees TTYs on
// stdout and stderr exactly as in a person's terminal, and what it left on the screen is read back with
// `capture-pane`. tmux comes from Debian (tests/standin/provision.sh installs it).

/** What the pane shows once the command ended, and its exit code. */
export interface PaneResult {
  /** The screen and its scrollback, wrapped lines joined, trailing blank lines dropped. */
  screen: string;
  code: number;
}

const POLL_MS = 100;

/**
 * Runs `argv` in a fresh tmux pane of `width` columns with exactly `env` (PATH and HOME kept), waits until
 * it exits (at most `timeoutMs`), and returns the pane's text.
 */
export async function runInTerminal(argv: string[], env: Record<string, string>, { width = 160, height = 50, timeoutMs = 60_000 } = {}): Promise<PaneResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cli-tty-'));
  const socket = join(dir, 'tmux.sock');
  // The pane stays once the command exits (to read it and its exit status), with all it printed.
  const conf = join(dir, 'tmux.conf');
  writeFileSync(conf, 'set-window-option -g remain-on-exit on\nset-option -g history-limit 20000\n');
  const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket, '-f', conf, ...args], { encoding: 'utf8' });
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  // The command's environment is written to a script, so no value passes through tmux's own environment.
  // The script records the exit status itself: tmux 3.3 sometimes never shows the status of a pane that
  // died at once (#{pane_dead_status} stays empty).
  const script = join(dir, 'run.sh');
  const statusFile = join(dir, 'status');
  writeFileSync(script, [
    [
      'env -i', `PATH=${quote(process.env.PATH ?? '/usr/bin:/bin')}`, `HOME=${quote(process.env.HOME ?? '/root')}`, 'TERM=xterm-256color',
      ...Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`), ...argv.map(quote),
    ].join(' \\\n  '),
    `printf '%s' "$?" > ${quote(statusFile)}`,
  ].join('\n'));
  try {
    tmux('new-session', '-d', '-s', 'cli', '-x', String(width), '-y', String(height), `bash ${quote(script)}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dead = tmux('list-panes', '-t', 'cli', '-F', '#{pane_dead}').trim() === '1';
      if (dead && !existsSync(statusFile)) throw new Error(`the pane of ${argv.join(' ')} died without an exit status`);
      if (dead) {
        const status = readFileSync(statusFile, 'utf8');
        // tmux's own "Pane is dead" line and the empty rows below the output are not the command's.
        const screen = tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', 'cli').replace(/\s*Pane is dead( \([^)]*\))?\s*$/, '').replace(/\s+$/, '');
        return { screen, code: Number(status) };
      }
      if (Date.now() > deadline) throw new Error(`${argv.join(' ')} still running after ${timeoutMs} ms; the pane shows:\n${tmux('capture-pane', '-p', '-J', '-t', 'cli')}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // Already gone.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
