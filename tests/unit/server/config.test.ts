import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { DEFAULT_HOST, DEFAULT_PORT, parseConfig } from '../../../server/config.ts';
import { MAX_SESSIONS, MAX_WORKERS } from '../../../server/limits.ts';
import { originsFor } from '../../../server/sandbox.ts';

describe('parseConfig', () => {
  it('defaults to loopback on 4321', () => {
    expect(parseConfig([], {})).toEqual({
      ok: true,
      config: {
        port: DEFAULT_PORT,
        host: DEFAULT_HOST,
        origins: [],
        dist: 'dist',
        capture: false,
        workers: 1,
        maxSessions: MAX_SESSIONS,
        metricsHost: DEFAULT_HOST,
      },
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

  it('takes a number of workers, or auto for one per core', () => {
    expect(parseConfig(['--workers', '3'], {})).toMatchObject({ ok: true, config: { workers: 3 } });
    expect(parseConfig(['--workers', 'auto'], {})).toMatchObject({ ok: true, config: { workers: Math.min(availableParallelism(), MAX_WORKERS) } });
    for (const bad of ['0', '1.5', 'many', String(MAX_WORKERS + 1)]) {
      expect(parseConfig(['--workers', bad], {})).toEqual({
        ok: false,
        message: `invalid --workers: must be a whole number from 1 to ${MAX_WORKERS}, or auto (one per core)`,
      });
    }
  });

  it('serves metrics on their own port only when asked, on loopback unless told otherwise', () => {
    expect(parseConfig(['--metrics-port', '9464'], {})).toMatchObject({ ok: true, config: { metricsPort: 9464, metricsHost: '127.0.0.1' } });
    expect(parseConfig(['--metrics-port', '9464', '--metrics-host', '0.0.0.0'], {})).toMatchObject({ ok: true, config: { metricsHost: '0.0.0.0' } });
    expect(parseConfig(['--metrics-port', 'x'], {})).toEqual({ ok: false, message: 'invalid --metrics-port: must be a number' });
    expect(parseConfig(['--max-sessions', '0'], {})).toEqual({ ok: false, message: 'invalid --max-sessions: must be at least 1' });
    expect(parseConfig(['--max-sessions', '10'], {})).toMatchObject({ ok: true, config: { maxSessions: 10 } });
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
