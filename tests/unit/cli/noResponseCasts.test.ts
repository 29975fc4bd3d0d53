import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Each renderer takes its action's named response type (handlers/actions/responses.ts), so the CLI never
// needs to cast a response (issue 27 item 8). A cast would hide a renderer that no longer matches the
// response its action answers.
describe('the CLI reads responses by their types', () => {
  const root = join(__dirname, '../../../handlers');
  const files = [join(root, 'cli.ts'), ...readdirSync(join(root, 'cli')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'cli', f))];

  it.each(files.map((f) => [f.slice(root.length + 1), f]))('%s casts no response', (_name, file) => {
    const casts = readFileSync(file, 'utf8').split('\n').filter((line) => / as [A-Z][A-Za-z]*Response\b/.test(line));
    expect(casts).toEqual([]);
  });
});
