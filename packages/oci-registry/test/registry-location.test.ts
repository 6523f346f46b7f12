/** Where a registry is (http-util `registryLocation`, `isLoopbackHost`): loopback is plain HTTP, as Docker treats 127.0.0.0/8. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '@regsweep/core';
import { isLoopbackHost, registryLocation } from '../src/http-util.js';

test('loopback hosts, with or without a port: localhost, *.localhost, 127.0.0.0/8, [::1]', () => {
  for (const host of ['localhost', 'localhost:5000', 'registry.localhost', '127.0.0.1', '127.0.0.1:5000', '127.1.2.3:443', '[::1]:5000', 'LOCALHOST']) {
    assert.ok(isLoopbackHost(host), host);
  }
  for (const host of ['registry.example.com', '128.0.0.1', '10.0.0.1:5000', '127.0.0.1.example.com', 'localhost.example.com', '[::2]']) {
    assert.not.ok(isLoopbackHost(host), host);
  }
});

test('no scheme: loopback is plain HTTP, every other host HTTPS; a scheme given is kept', () => {
  assert.equal(registryLocation('127.0.0.1:5000'), { host: '127.0.0.1:5000', url: 'http://127.0.0.1:5000', plainHttp: true });
  assert.equal(registryLocation('localhost:5000'), { host: 'localhost:5000', url: 'http://localhost:5000', plainHttp: true });
  assert.equal(registryLocation('registry.gitlab.com'), { host: 'registry.gitlab.com', url: 'https://registry.gitlab.com', plainHttp: false });
  assert.equal(registryLocation('https://127.0.0.1:5000'), { host: '127.0.0.1:5000', url: 'https://127.0.0.1:5000', plainHttp: false });
  assert.equal(registryLocation('http://registry.internal:5000/'), { host: 'registry.internal:5000', url: 'http://registry.internal:5000', plainHttp: true });
});

test('what is not a registry host is an InputError naming the input', () => {
  for (const value of ['https://ghcr.io/acme', 'ftp://ghcr.io', 'http://', '']) {
    try {
      registryLocation(value, 'input registry-url');
      assert.unreachable(value);
    } catch (err) {
      assert.instance(err, InputError, value);
      assert.match((err as Error).message, 'input registry-url:');
    }
  }
});

test.run();
