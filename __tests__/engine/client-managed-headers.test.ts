import { describe, expect, it } from 'vitest';
import { expandHeaders } from '../../src/engine/secrets.js';
import { InputError } from '../../src/util/errors.js';

// Headers copied from a Postman export or `curl -v` (Content-Length, Keep-Alive, Expect, ...) are the
// HTTP client's to write. Configured, undici refused each request ('invalid keep-alive header',
// 'expect header not supported'), or sent a wrong length: every case was an engine error and the
// health check said the engine was unreachable (connection), for a line of configuration.
describe('engine headers the HTTP client writes itself', () => {
  for (const name of ['Content-Length', 'Transfer-Encoding', 'Keep-Alive', 'Upgrade', 'Expect', 'content-length']) {
    it(`refuses ${name} up front, naming it and where it is`, () => {
      let err: unknown;
      try {
        expandHeaders({ Authorization: 'Bearer x', [name]: name === 'Expect' ? '100-continue' : '10' }, {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toBe(
        `engine header "${name}" is written by the HTTP client for each request (it manages the connection and the body); remove it from engine.headers`,
      );
      expect((err as InputError).pointer).toBe(`/engine/headers/${name}`);
    });
  }

  it('still takes the headers that are the user\'s to choose (Host for a virtual host, Connection: close, Accept-Encoding)', () => {
    const headers = { Host: 'engine.internal', Connection: 'close', 'Accept-Encoding': 'gzip', 'User-Agent': 'gate/1' };
    expect(expandHeaders(headers, {})).toEqual(headers);
  });
});
