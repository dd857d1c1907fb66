import { isFramewayError } from '@frameway/protocol';
import { describe, expect, it } from 'vitest';
import { resolveFfmpeg } from './resolveFfmpeg.js';

const executables = (...paths: string[]) => {
  const set = new Set(paths);
  return (path: string) => set.has(path);
};
const notInstalled = () => {
  throw Object.assign(new Error("Cannot find module 'ffmpeg-static'"), { code: 'MODULE_NOT_FOUND' });
};

describe('resolveFfmpeg', () => {
  it('prefers FFMPEG_BIN over ffmpeg-static and PATH', () => {
    const resolved = resolveFfmpeg({
      env: { FFMPEG_BIN: '/opt/ffmpeg/bin/ffmpeg', PATH: '/usr/bin' },
      loadFfmpegStatic: () => '/node_modules/ffmpeg-static/ffmpeg',
      isExecutable: executables('/opt/ffmpeg/bin/ffmpeg', '/node_modules/ffmpeg-static/ffmpeg', '/usr/bin/ffmpeg'),
    });
    expect(resolved).toEqual({ path: '/opt/ffmpeg/bin/ffmpeg', source: 'FFMPEG_BIN' });
  });

  it('falls back to ffmpeg-static when FFMPEG_BIN is unset or not executable', () => {
    for (const env of [{ PATH: '/usr/bin' }, { FFMPEG_BIN: '/nowhere/ffmpeg', PATH: '/usr/bin' }]) {
      const resolved = resolveFfmpeg({
        env,
        loadFfmpegStatic: () => '/nm/ffmpeg-static/ffmpeg',
        isExecutable: executables('/nm/ffmpeg-static/ffmpeg', '/usr/bin/ffmpeg'),
      });
      expect(resolved).toEqual({ path: '/nm/ffmpeg-static/ffmpeg', source: 'ffmpeg-static' });
    }
  });

  it('falls back to ffmpeg on PATH when ffmpeg-static is absent or its binary failed to download', () => {
    for (const loadFfmpegStatic of [notInstalled, () => null, () => '/nm/ffmpeg-static/ffmpeg']) {
      const resolved = resolveFfmpeg({
        env: { PATH: '/opt/none:/usr/local/bin:/usr/bin' },
        loadFfmpegStatic,
        isExecutable: executables('/usr/local/bin/ffmpeg', '/usr/bin/ffmpeg'),
        platform: 'linux',
      });
      expect(resolved).toEqual({ path: '/usr/local/bin/ffmpeg', source: 'PATH' });
    }
  });

  it('throws FW_ERR_ENCODER_UNAVAILABLE naming all three options when none works', () => {
    let thrown: unknown;
    try {
      resolveFfmpeg({
        env: { FFMPEG_BIN: '/bad/ffmpeg', PATH: '/usr/bin' },
        loadFfmpegStatic: notInstalled,
        isExecutable: () => false,
      });
    } catch (error) {
      thrown = error;
    }
    expect(isFramewayError(thrown)).toBe(true);
    const error = thrown as Error & { code: string };
    expect(error.code).toBe('FW_ERR_ENCODER_UNAVAILABLE');
    expect(error.message).toContain('FFMPEG_BIN');
    expect(error.message).toContain('ffmpeg-static');
    expect(error.message).toContain('PATH');
    expect(error.message).toContain('/bad/ffmpeg');
  });

  it('finds the real ffmpeg on this machine and caches the answer', () => {
    const first = resolveFfmpeg();
    expect(first.path).toMatch(/ffmpeg$/);
    expect(resolveFfmpeg()).toBe(first);
  });
});
