// The JSON Schema editors check a source configuration against (config/source-config.schema.json):
// generated from the zod schema and committed, so it must be current; and a plain JSON Schema
// validator (ajv) must refuse the structural mistakes the validator refuses, and take both presets.
// Rules across fields (a secret reference on the worker's allow-list, the key's columns, the window's
// column kind, the stop condition's syntax, the endpoint path, reserved table names) are not
// expressible in JSON Schema: only config/validate-source-config.ts checks those.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { PROJECT_ROOT, resolveVariables } from '../../config/settings';
import { ConfigError, validateSourceConfig } from '../../config/validate-source-config';
import { CONFIG_SCHEMA_FILE, configSchemaText } from '../../scripts/config-schema';

const PRESETS = ['clockodo-v2.json', 'clockodo-current.json'];
type Obj = Record<string, unknown>;
// The parts of a preset the cases change.
interface Raw {
  [key: string]: unknown;
  client: Obj & { auth: Obj };
  retry: Obj;
  resources: (Obj & { endpoint: Obj & { paginator: Obj; incremental_sync: Obj }; columns: Obj })[];
}
const preset = (name: string): Raw =>
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config/sources', name), 'utf8')) as Raw;

// Header and parameter values may be text, numbers or true/false: a union of types.
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
const schema = JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')) as object;
const ajvValidate = ajv.compile(schema);

/** Structural mistakes from the validation tests: a wrong type, an unknown key, a missing field, a number out of range, a bad enum, a pattern. */
const STRUCTURAL: [string, (c: Raw) => void][] = [
  ['an unknown key (a typo)', (c) => (c.resources[0].endpoint.data_selectr = 'projects')],
  ['an unknown key at the top', (c) => (c.resource = [])],
  ['a missing data_selector', (c) => delete c.resources[0].endpoint.data_selector],
  ['a missing client', (c: Obj) => delete c.client],
  ['no resources', (c) => (c.resources = [])],
  ['a negative page size', (c) => (c.resources[0].endpoint.paginator.limit = -5)],
  ['a page limit of 10^9', (c) => (c.resources[0].endpoint.paginator.limit = 1e9)],
  ['a parallel_windows of 1.5', (c) => (c.resources[3].endpoint.incremental_sync.parallel_windows = 1.5)],
  ['a parallel_windows as text', (c) => (c.resources[3].endpoint.incremental_sync.parallel_windows = '2')],
  ['a negative max_retries', (c) => (c.retry.max_retries = -1)],
  ['a request timeout past an hour', (c) => (c.client.request_timeout_seconds = 3_000_000)],
  ['a literal password', (c) => (c.client.auth.password = 'hunter2-literal')],
  ['an auth type that does not exist', (c) => (c.client.auth.type = 'oauth')],
  ['a column type that is not a kind', (c) => (c.resources[0].columns.customers_id = 'integer')],
  ['a column name longer than 64 characters', (c) => (c.resources[0].columns['a'.repeat(65)] = 'string?')],
  ['a resource name with upper case', (c) => (c.resources[0].name = 'Projects')],
  ['an empty primary key', (c) => (c.resources[0].primary_key = [])],
  ['a write disposition other than merge', (c) => (c.resources[0].write_disposition = 'append')],
  ['a paginator type that does not exist', (c) => (c.resources[0].endpoint.paginator.type = 'offset')],
  ['a base_page of 2', (c) => (c.resources[0].endpoint.paginator.base_page = 2)],
  ['a status code of 99', (c) => (c.retry.retry_on_status = [99])],
  ['a window type that does not exist', (c) => (c.resources[3].endpoint.incremental_sync.type = 'week')],
];

describe('config/source-config.schema.json', () => {
  it('is what npm run config-schema writes from the zod schema (run it after changing the schema)', async () => {
    assert.equal(readFileSync(CONFIG_SCHEMA_FILE, 'utf8'), await configSchemaText());
  });

  for (const name of PRESETS) {
    it(`takes the preset ${name}, which names it in "$schema"`, () => {
      const raw = preset(name);
      assert.equal(raw.$schema, '../source-config.schema.json');
      assert.ok(ajvValidate(raw), ajv.errorsText(ajvValidate.errors));
    });
  }

  for (const [what, change] of STRUCTURAL) {
    it(`refuses ${what}, as the validator does`, () => {
      const raw = preset('clockodo-v2.json');
      change(raw);
      assert.equal(ajvValidate(raw), false, `ajv accepted ${what}`);
      assert.throws(() => validateSourceConfig(raw, resolveVariables({}, new Date())), ConfigError);
    });
  }

  it('takes the paginator written with the deprecated keys, as the validator does', () => {
    const raw = preset('clockodo-v2.json');
    const p = raw.resources[0].endpoint.paginator;
    p.type = 'cursor';
    p.cursor_param = p.page_param;
    delete p.page_param;
    assert.ok(ajvValidate(raw), ajv.errorsText(ajvValidate.errors));
  });
});
