// Which settings a source configuration may name as `${NAME}` outside client.auth. Those references
// are resolved by the client (start-sync, schedule) into the workflow input, which Temporal keeps in
// its history and a schedule keeps in its stored action, and which the worker sends to the API as
// paths, parameters and headers. So only settings that are not secrets may be named there: the API's
// base URL, the external-application header, and the `SYNC_*` run settings. Secrets are named only in
// client.auth, and only workers resolve those (config/worker-credentials.ts).

/** Named settings besides SYNC_* that a configuration may refer to outside client.auth. */
export const REFERABLE_SETTINGS: readonly string[] = ['CLOCKODO_BASE_URL', 'CLOCKODO_EXTERNAL_APP'];

/** A SYNC_* name that reads like a credential is refused even so: someone may have put one there. */
const SECRET_LIKE = /KEY|PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|AUTH/;

/** Why `${name}` may not be used outside client.auth, or undefined when it may. */
export function referenceRefusal(name: string, secretNames: readonly string[]): string | undefined {
  const documented = REFERABLE_SETTINGS.includes(name) || /^SYNC_[A-Z0-9_]+$/.test(name);
  if (documented && !secretNames.includes(name) && !SECRET_LIKE.test(name)) return undefined;
  const secret =
    secretNames.includes(name) || SECRET_LIKE.test(name) ? ' (a secret: name it in client.auth only)' : '';
  return (
    `refers to \${${name}}${secret}; outside client.auth only ${REFERABLE_SETTINGS.join(', ')} and SYNC_* ` +
    `settings may be named, because their values travel in the workflow's input and history`
  );
}
