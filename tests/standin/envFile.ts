// The environment files `npm run standin` writes, so the CLI can be used against the stand-in by hand
// from a second terminal: `source .standin/primary.env && npx eks-delegate backup`.

/** One `export NAME='value'` line per variable, sorted; values single-quoted for POSIX shells. */
export function renderEnvFile(comment: string, vars: Readonly<Record<string, string>>): string {
  const lines = Object.keys(vars)
    .sort()
    .map((name) => {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(name)) throw new Error(`not an environment variable name: ${name}`);
      return `export ${name}=${shellQuote(vars[name] ?? '')}`;
    });
  return `${comment.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n${lines.join('\n')}\n`;
}

/** Parses what renderEnvFile writes (and plain `NAME=value` lines): the reader the tests use. */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`not a NAME=value line: ${line}`);
    const [, name = '', value = ''] = match;
    vars[name] = value.startsWith("'") ? value.slice(1, -1).replace(/'\\''/g, "'") : value;
  }
  return vars;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
