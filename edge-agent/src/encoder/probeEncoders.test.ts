import { describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../ffmpeg/resolveFfmpeg.js';
import { type CommandRunner, runCommand } from '../process/runCommand.js';
import { liveChildCount } from '../process/trackChildProcess.js';
import { parseNvidiaSmiGpus, probeEncoders } from './probeEncoders.js';

describe('probeEncoders', () => {
  it('finds libx264 but not NVENC on this GPU-less machine, by really encoding a frame', async () => {
    const { encoders, gpus } = await probeEncoders({ ffmpegPath: resolveFfmpeg().path });
    expect(encoders).toEqual([{ name: 'libx264', codec: 'h264', hardware: false }]);
    expect(gpus).toEqual([]);
  });

  it('lists working encoders hardware first and reads GPUs from nvidia-smi', async () => {
    const calls: string[][] = [];
    const run: CommandRunner = async (file, args) => {
      calls.push([file, ...args]);
      if (file === 'nvidia-smi') {
        return { code: 0, stdout: 'NVIDIA L4, 23034\nNVIDIA H100 80GB HBM3, 81559\n', stderr: '', timedOut: false };
      }
      const ok = !args.includes('hevc_nvenc');
      return { code: ok ? 0 : 1, stdout: '', stderr: ok ? '' : 'No capable devices found', timedOut: false };
    };
    const { encoders, gpus } = await probeEncoders({ ffmpegPath: '/usr/bin/ffmpeg', run });
    expect(encoders.map((encoder) => encoder.name)).toEqual(['h264_nvenc', 'libx264']);
    expect(encoders[0]).toEqual({ name: 'h264_nvenc', codec: 'h264', hardware: true });
    expect(gpus).toEqual([
      { vendor: 'NVIDIA', model: 'NVIDIA L4', memoryMiB: 23034 },
      { vendor: 'NVIDIA', model: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 },
    ]);
    // each probe is a one-frame encode with the session's codec options
    const nvencProbe = calls.find((call) => call.includes('h264_nvenc')) ?? [];
    expect(nvencProbe).toEqual(expect.arrayContaining(['-frames:v', '1', '-tune', 'ull', '-delay', '0']));
  });

  it('reports no encoder and no GPU when ffmpeg and nvidia-smi cannot run', async () => {
    const result = await probeEncoders({ ffmpegPath: '/nonexistent/ffmpeg', nvidiaSmiPath: '/nonexistent/nvidia-smi' });
    expect(result).toEqual({ encoders: [], gpus: [] });
  });

  it('treats a probe that hangs past its timeout as a failure', async () => {
    const started = Date.now();
    // `sleep` stands in for an ffmpeg stuck initialising a driver
    const run: CommandRunner = (_file, _args, timeoutMs) => runCommand('sleep', ['5'], timeoutMs);
    const result = await probeEncoders({ ffmpegPath: 'ffmpeg', candidates: ['libx264'], timeoutMs: 200, run });
    expect(result.encoders).toEqual([]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(liveChildCount()).toBe(0);
  });
});

describe('parseNvidiaSmiGpus', () => {
  it('parses csv with or without units and skips blank lines', () => {
    expect(parseNvidiaSmiGpus('Tesla T4, 15360 MiB\n\n')).toEqual([
      { vendor: 'NVIDIA', model: 'Tesla T4', memoryMiB: 15360 },
    ]);
    expect(parseNvidiaSmiGpus('Weird, Name, [N/A]\n')).toEqual([{ vendor: 'NVIDIA', model: 'Weird, Name' }]);
  });
});
