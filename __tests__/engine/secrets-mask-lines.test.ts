import { describe, expect, it } from 'vitest';
import { secretsToMask } from '../../src/engine/secrets.js';

/**
 * `::add-mask::` ends at a line break: a multi-line secret sent whole would mask only its first line and
 * print the rest as a log line, so it was dropped and not masked at all. It is masked line by line.
 */
describe('secretsToMask with multi-line values', () => {
  const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\r\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----';

  it('masks each line of a multi-line value (LF and CRLF), none of them whole', () => {
    const masks = secretsToMask({ KEY: '${PEM}' }, [], { PEM: pem });
    expect(masks.sort()).toEqual(
      ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'BKcwggSjAgEAAoIBAQC7', '-----END PRIVATE KEY-----'].sort(),
    );
    for (const m of masks) expect(m).not.toMatch(/[\r\n]/);
  });

  it('leaves out lines too short to mask, and one-line values are as before', () => {
    expect(secretsToMask({ authorization: 'Bearer ${T}' }, [], { T: 'tok-123456' }).sort()).toEqual(['Bearer tok-123456', 'tok-123456']);
    expect(secretsToMask({ K: '${V}' }, [], { V: 'ab\nsecret-line\n\n' })).toEqual(['secret-line']);
  });

  it('masks a secret as JSON writes it too (an engine echoing a base64 token with "/" as "\\/")', () => {
    expect(secretsToMask({ authorization: 'Bearer ${T}' }, [], { T: 'Zm9v/YmFy' }).sort()).toEqual(['Bearer Zm9v/YmFy', 'Bearer Zm9v\\/YmFy', 'Zm9v/YmFy', 'Zm9v\\/YmFy']);
  });
});
