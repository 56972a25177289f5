// How the tools find Temporal: the local dev server by default, a profile of Temporal's config file,
// and variables over the profile, as Temporal's own CLI and SDKs read them.
import { strict as assert } from 'assert';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { SettingsError } from '../../config/settings';
import { temporalSettings } from '../../config/temporal-settings';

const QUEUE = { TEMPORAL_TASK_QUEUE: 'q' };

describe('temporalSettings', () => {
  let dir: string;
  let file: string;
  let empty: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'temporal-profile-'));
    file = path.join(dir, 'temporal.toml');
    empty = path.join(dir, 'empty.toml');
    writeFileSync(empty, '');
    writeFileSync(path.join(dir, 'ca.pem'), 'not checked here');
    writeFileSync(
      file,
      [
        '[profile.prod]',
        'address = "acme.a1b2c.tmprl.cloud:7233"',
        'namespace = "acme.a1b2c"',
        'api_key = "profile-key-123"',
        '',
        '[profile.mtls]',
        'address = "temporal.internal:7233"',
        'namespace = "sync"',
        '[profile.mtls.tls]',
        `client_cert_data = "CERT"`,
        `client_key_data = "KEY"`,
        `server_ca_cert_path = "${path.join(dir, 'ca.pem')}"`,
      ].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is the local dev server, in plaintext, when nothing is set', () => {
    const t = temporalSettings({ ...QUEUE, TEMPORAL_CONFIG_FILE: empty, TEMPORAL_PROFILE: '' });
    assert.equal(t.address, '127.0.0.1:7233');
    assert.equal(t.namespace, 'default');
    assert.equal(t.security, 'plaintext');
    assert.equal(t.connection.tls, undefined);
  });

  it('reads a profile: an API key turns TLS on, as Temporal Cloud needs', () => {
    const t = temporalSettings({ ...QUEUE, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    assert.equal(t.address, 'acme.a1b2c.tmprl.cloud:7233');
    assert.equal(t.namespace, 'acme.a1b2c');
    assert.equal(t.connection.apiKey, 'profile-key-123');
    assert.equal(t.connection.tls, true);
    assert.equal(t.security, 'TLS, API key, profile prod');
    assert.ok(!t.security.includes('profile-key-123'));
  });

  it('reads client certificates and the server CA from a profile', () => {
    const t = temporalSettings({ ...QUEUE, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls' });
    const tls = t.connection.tls;
    assert.ok(tls && typeof tls === 'object');
    assert.equal(Buffer.from(tls.clientCertPair?.crt ?? []).toString(), 'CERT');
    assert.equal(Buffer.from(tls.clientCertPair?.key ?? []).toString(), 'KEY');
    assert.equal(Buffer.from(tls.serverRootCACertificate ?? []).toString(), 'not checked here');
    assert.equal(t.security, 'TLS with a client certificate, profile mtls');
  });

  it('variables win over the profile', () => {
    const t = temporalSettings({
      ...QUEUE,
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'prod',
      TEMPORAL_NAMESPACE: 'other',
      TEMPORAL_API_KEY: 'env-key-456',
    });
    assert.equal(t.namespace, 'other');
    assert.equal(t.connection.apiKey, 'env-key-456');
    assert.equal(t.address, 'acme.a1b2c.tmprl.cloud:7233');
  });

  it('names the setting when something is wrong', () => {
    assert.throws(
      () => temporalSettings({ ...QUEUE, TEMPORAL_TLS_CLIENT_CERT_PATH: '/x.pem' }),
      (e: Error) =>
        e instanceof SettingsError &&
        /TEMPORAL_TLS_CLIENT_KEY_PATH: a client certificate is set/.test(e.message),
    );
    assert.throws(
      () => temporalSettings({ ...QUEUE, TEMPORAL_TLS: 'yes please' }),
      /TEMPORAL_TLS: must be true or false/,
    );
    assert.throws(
      () =>
        temporalSettings({
          ...QUEUE,
          TEMPORAL_CONFIG_FILE: path.join(dir, 'absent.toml'),
          TEMPORAL_PROFILE: 'prod',
        }),
      (e: Error) => e instanceof SettingsError && e.message.includes('absent.toml'),
    );
    assert.throws(
      () => temporalSettings({ ...QUEUE, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' }),
      (e: Error) => e instanceof SettingsError && /staging/.test(e.message),
    );
  });

  /** Asserts a SettingsError starting with `setting:`, matching `pattern`, without `secret`. */
  const refused = (vars: Record<string, string>, setting: string, pattern: RegExp, secret?: string) =>
    assert.throws(
      () => temporalSettings({ ...QUEUE, TEMPORAL_CONFIG_FILE: empty, ...vars }),
      (e: unknown) => {
        assert.ok(e instanceof SettingsError, String(e));
        assert.ok(e.message.startsWith(`${setting}`), e.message);
        assert.match(e.message, pattern);
        if (secret) assert.ok(!e.message.includes(secret), e.message);
        return true;
      },
    );

  it('TEMPORAL_ADDRESS must be host:port, checked before connecting and not repeated', () => {
    for (const address of ['temporal.internal:7233', '10.0.0.7:443', '[fd00::7]:7233'])
      assert.equal(
        temporalSettings({ ...QUEUE, TEMPORAL_CONFIG_FILE: empty, TEMPORAL_ADDRESS: address }).address,
        address,
      );
    for (const address of ['localhost', 'host:99999', 'host:0', 'a b:7233', 'SECRET-key-in-the-wrong-place'])
      refused(
        { TEMPORAL_ADDRESS: address },
        'TEMPORAL_ADDRESS: ',
        /host:port/,
        address === 'localhost' ? undefined : address,
      );
    refused(
      { TEMPORAL_ADDRESS: 'https://user:SECRET-pw@acme.tmprl.cloud:7233' },
      'TEMPORAL_ADDRESS: ',
      /without a scheme.*got a URL: https:\/\/acme\.tmprl\.cloud:7233 \(credentials not shown\)/,
      'SECRET-pw',
    );
  });

  it("names a profile's bad address as TEMPORAL_ADDRESS from the profile", () => {
    const bad = path.join(dir, 'bad-address.toml');
    writeFileSync(bad, '[profile.x]\naddress = "no-port"\n');
    refused({ TEMPORAL_CONFIG_FILE: bad, TEMPORAL_PROFILE: 'x' }, 'TEMPORAL_ADDRESS (', /profile x/);
  });

  it('a malformed config file is named with a line number, never with its text', () => {
    const bad = path.join(dir, 'bad.toml');
    writeFileSync(bad, '[profile.prod]\naddress = "a:7233"\napi_key = SECRET-key-123 oops\n');
    refused(
      { TEMPORAL_CONFIG_FILE: bad, TEMPORAL_PROFILE: 'prod' },
      'TEMPORAL_CONFIG_FILE: ',
      /bad\.toml is not valid TOML \(line 3, column \d+\)$/,
      'SECRET',
    );
    // Whatever the parser says, its message is not passed on.
    writeFileSync(bad, 'api_key = "SECRET-key-123"\n[profile\n');
    refused({ TEMPORAL_CONFIG_FILE: bad }, 'TEMPORAL_CONFIG_FILE: ', /is not valid TOML/, 'SECRET');
  });

  it('a config file named on purpose must exist; a profile named must be in it', () => {
    refused(
      { TEMPORAL_CONFIG_FILE: path.join(dir, 'absent.toml') },
      'TEMPORAL_CONFIG_FILE: ',
      /^TEMPORAL_CONFIG_FILE: no file .*absent\.toml$/,
    );
    refused(
      { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' },
      'TEMPORAL_PROFILE: ',
      /no profile "staging" in .*temporal\.toml/,
    );
    // A file without profiles (envconfig itself trips over one) has none, and names no one asked for.
    refused(
      { TEMPORAL_CONFIG_FILE: empty, TEMPORAL_PROFILE: 'prod' },
      'TEMPORAL_PROFILE: ',
      /no profile "prod"/,
    );
    const odd = path.join(dir, 'odd.toml');
    writeFileSync(odd, '[profile]\ndefault = "SECRET-key-123"\n');
    refused(
      { TEMPORAL_CONFIG_FILE: odd },
      'TEMPORAL_CONFIG_FILE: ',
      /is not a Temporal config file/,
      'SECRET',
    );
  });
});
