import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ContainerCreateBody, ContainerName } from '../../../testing/engineApiSchema.js';
import { buildContainerSpec, type ContainerSpecInput, NVIDIA_CAPABILITIES } from './buildContainerSpec.js';

const input: ContainerSpecInput = {
  sessionId: 'ses_AbC-12.3',
  image: 'registry.example.com:5000/games/ltris:1.0.19',
  display: { name: ':7', socketPath: '/tmp/.X11-unix/X7', authFile: '/tmp/frameway-s/Xauthority.container' },
  pulseSocket: '/tmp/frameway-s/pulse/native',
  gpus: 'all',
  runtime: 'nvidia',
  limits: { cpus: 2.5, memoryMiB: 4096, pids: 512, openFiles: 4096 },
};

/** Splits dockerode's options into the request body and the query, as dockerode does. */
function request(spec: ReturnType<typeof buildContainerSpec>) {
  const { name, ...body } = spec;
  return { name, body: JSON.parse(JSON.stringify(body)) as unknown };
}

describe('buildContainerSpec', () => {
  it('builds a ContainerCreate request the Engine API schema accepts', () => {
    const { name, body } = request(buildContainerSpec(input));
    const result = v.safeParse(ContainerCreateBody, body);
    expect(
      result.issues?.map((issue) => `${issue.path?.map((p) => p.key).join('.')}: ${issue.message}`),
    ).toBeUndefined();
    expect(v.is(ContainerName, name)).toBe(true);
    expect(name).toBe('frameway-ses_AbC-12.3');
  });

  it('requests the NVIDIA GPUs with the device request, all of them or a count', () => {
    const all = buildContainerSpec(input).HostConfig?.DeviceRequests;
    expect(all).toEqual([{ Driver: 'nvidia', Count: -1, Capabilities: [[...NVIDIA_CAPABILITIES]] }]);
    expect(NVIDIA_CAPABILITIES).toEqual(expect.arrayContaining(['gpu', 'video', 'compute', 'utility']));
    expect(buildContainerSpec({ ...input, gpus: 2 }).HostConfig?.DeviceRequests?.[0]?.Count).toBe(2);
    expect(buildContainerSpec({ ...input, gpus: 'none' }).HostConfig?.DeviceRequests).toBeUndefined();
    expect(buildContainerSpec(input).HostConfig?.Runtime).toBe('nvidia');
  });

  it('wires exactly the session display socket, cookie and audio socket into the container', () => {
    const spec = buildContainerSpec(input);
    expect(spec.HostConfig?.Binds).toEqual([
      '/tmp/.X11-unix/X7:/tmp/.X11-unix/X7',
      '/tmp/frameway-s/Xauthority.container:/run/frameway/Xauthority:ro',
      '/tmp/frameway-s/pulse/native:/run/frameway/pulse/native',
    ]);
    expect(spec.Env).toEqual(
      expect.arrayContaining([
        'DISPLAY=:7',
        'XAUTHORITY=/run/frameway/Xauthority',
        'PULSE_SERVER=unix:/run/frameway/pulse/native',
      ]),
    );
    const silent = buildContainerSpec({ ...input, pulseSocket: undefined });
    expect(silent.HostConfig?.Binds).toHaveLength(2);
    expect(silent.Env?.some((entry) => entry.startsWith('PULSE_SERVER='))).toBe(false);
  });

  it('applies the resource limits as cgroup settings and confines the game', () => {
    const host = buildContainerSpec(input).HostConfig!;
    expect(host).toMatchObject({
      NanoCpus: 2_500_000_000,
      Memory: 4096 * 1024 * 1024,
      MemorySwap: 4096 * 1024 * 1024,
      PidsLimit: 512,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges:true'],
      IpcMode: 'private',
      AutoRemove: false,
    });
    expect(host.Ulimits).toEqual([
      { Name: 'core', Soft: 0, Hard: 0 },
      { Name: 'nofile', Soft: 4096, Hard: 4096 },
    ]);
    const unlimited = buildContainerSpec({ ...input, limits: {} }).HostConfig!;
    expect(unlimited.NanoCpus ?? unlimited.Memory ?? unlimited.PidsLimit).toBeUndefined();
  });

  it('refuses what would not be a plain image reference or env name', () => {
    for (const image of ['', '-v /:/host alpine', 'a b', '../etc', 'x'.repeat(300)]) {
      expect(() => buildContainerSpec({ ...input, image })).toThrow(
        expect.objectContaining({ code: 'FW_ERR_INVALID_PAYLOAD' }),
      );
    }
    expect(() => buildContainerSpec({ ...input, env: { 'BAD NAME': '1' } })).toThrow(
      expect.objectContaining({ code: 'FW_ERR_INVALID_PAYLOAD' }),
    );
  });

  it('catches a misspelt field the daemon would ignore (the schema is strict)', () => {
    const { body } = request(buildContainerSpec(input));
    const typo = { ...(body as object), HostConfig: { ...(body as { HostConfig: object }).HostConfig, NanoCPUs: 1 } };
    expect(v.is(ContainerCreateBody, typo)).toBe(false);
    const fractional = { ...(body as object), HostConfig: { NanoCpus: 1.5 } };
    expect(v.is(ContainerCreateBody, fractional)).toBe(false);
  });
});
