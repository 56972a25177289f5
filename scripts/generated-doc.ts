// A docs page that a command writes in part (the benchmark, the soak): the hand-written head stays,
// and what the command measured replaces everything below the marker, so regenerating loses no prose.
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { format } from 'prettier';

const MARK = '<!-- Written by';

export async function writeGeneratedDoc(
  file: string,
  title: string,
  command: string,
  body: string,
): Promise<void> {
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = old.indexOf(MARK);
  const head = at >= 0 ? old.slice(0, at) : `# ${title}\n\n`;
  const marker = `${MARK} \`${command}\` from here on: change its generator, not this text. -->\n\n`;
  // Prose wrapped at the repository's width, so no generated line runs past the docs' 200 characters.
  const generated = await format(body, { parser: 'markdown', proseWrap: 'always', printWidth: 110 });
  writeFileSync(file, head + marker + generated);
}
