import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST, DEFAULT_PORT, parseConfig } from '../../../server/config.ts';
import { originsFor } from '../../../server/sandbox.ts';

describe('parseConfig', () => {
  it('defaults to loopback on 4321', () => {
    expect(parseConfig([], {})).toEqual({
      ok: true,
      config: { port: DEFAULT_PORT, host: DEFAULT_HOST, origins: [], dist: 'dist', capture: false },
    });
    expect(DEFAULT_HOST).toBe('127.0.0.1');
  });

  it('lets flags win over the environment', () => {
    expect(parseConfig(['--port', '5000'], { PORT: '6000', HOST: '::1' })).toMatchObject({
      ok: true,
      config: { port: 5000, host: '::1' },
    });
    expect(parseConfig([], { PORT: '6000', HOST: '' })).toMatchObject({ ok: true, config: { port: 6000, host: '127.0.0.1' } });
  });

  it('names the option that is wrong', () => {
    expect(parseConfig(['--port', 'abc'], {})).toEqual({ ok: false, message: 'invalid --port: must be a number' });
    expect(parseConfig(['--port', '70000'], {})).toEqual({ ok: false, message: 'invalid --port: must be from 0 to 65535' });
    expect(parseConfig(['--origin', 'nope'], {})).toMatchObject({
      ok: false,
      message: expect.stringContaining('invalid --origin'),
    });
    expect(parseConfig(['--prot', '1'], {})).toMatchObject({ ok: false, message: expect.stringContaining("'--prot'") });
  });

  it('prints usage for --help', () => {
    expect(parseConfig(['--help'], {})).toMatchObject({ ok: false, help: true, message: expect.stringContaining('--port N') });
  });
});

describe('originsFor', () => {
  it('allows the loopback names of the same port and nothing else', () => {
    const origins = originsFor('127.0.0.1', 4321);
    expect(origins).toEqual(new Set(['http://127.0.0.1:4321', 'http://localhost:4321', 'http://[::1]:4321']));
    expect(originsFor('::1', 80, ['https://course.example']).has('https://course.example')).toBe(true);
  });
});
