// How a secret can appear in text, for tests that search output for it: as itself, and as the Base64
// stretch any encoding of a text holding it contains, at each of the three byte offsets (a Basic auth
// header encodes `user:key`, so the key starts at any offset). Written independently of the worker's
// redaction, which the tests check.
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const forms = [secret];
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    forms.push(b64.slice(Math.ceil(offset / 3) * 4, Math.floor((offset + bytes.length) / 3) * 4));
  }
  return forms;
}
