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
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'temporal-profile-'));
    file = path.join(dir, 'temporal.toml');
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
    const t = temporalSettings({
      ...QUEUE,
      TEMPORAL_CONFIG_FILE: path.join(dir, 'absent.toml'),
      TEMPORAL_PROFILE: '',
    });
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
});
