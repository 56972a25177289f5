// Writes config/source-config.schema.json, the JSON Schema editors check a source configuration
// against (the presets name it in "$schema"), from the zod schema of the file
// (domain/source-config-schema.ts). `npm run config-schema`; a unit test fails when it is stale.
import { writeFileSync } from 'fs';
import * as path from 'path';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { sourceConfigFileSchema } from '../domain/source-config-schema';

export const CONFIG_SCHEMA_FILE = path.join(__dirname, '..', 'config', 'source-config.schema.json');

/** The schema's text as committed: draft-07 (what editors read best), formatted as the repo is. */
export async function configSchemaText(): Promise<string> {
  const schema = {
    ...z.toJSONSchema(sourceConfigFileSchema, { target: 'draft-7', io: 'input' }),
    title: 'Clockodo → ClickHouse source configuration',
    description:
      'Generated from domain/source-config-schema.ts by `npm run config-schema`: do not edit. Rules across fields (references, keys against columns, window columns) are checked by the validator only.',
  };
  const options = (await resolveConfig(CONFIG_SCHEMA_FILE)) ?? {};
  return format(JSON.stringify(schema), { ...options, parser: 'json' });
}

if (require.main === module) {
  configSchemaText()
    .then((text) => {
      writeFileSync(CONFIG_SCHEMA_FILE, text);
      console.log(`wrote ${path.relative(process.cwd(), CONFIG_SCHEMA_FILE)}`);
    })
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
