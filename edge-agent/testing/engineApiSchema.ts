import * as v from 'valibot';

/**
 * The part of the Docker Engine API (v1.41+, `POST /containers/create`,
 * schemas ContainerConfig, HostConfig, Resources, DeviceRequest, ResourceUlimit)
 * that the agent's request uses, transcribed from the API reference: names,
 * types and the formats the daemon parses. Objects are strict, so a misspelt
 * field (which the daemon would silently ignore) fails here.
 */
const Int = v.pipe(v.number(), v.integer());
const Int64 = v.pipe(Int, v.minValue(-(2 ** 63)), v.maxValue(2 ** 63 - 1));
const AbsolutePath = v.pipe(v.string(), v.regex(/^\/[^:]*$/));
/** `host-src:container-dest[:options]` with options like ro/rw/z/Z/nocopy/propagation. */
const Bind = v.pipe(
  v.string(),
  v.check((bind) => {
    const [source, target, options, ...rest] = bind.split(':');
    const validOptions = (options ?? 'rw')
      .split(',')
      .every((o) => /^(ro|rw|z|Z|nocopy|r?shared|r?slave|r?private)$/.test(o));
    return rest.length === 0 && v.is(AbsolutePath, source) && v.is(AbsolutePath, target) && validOptions;
  }, 'a bind is host-src:container-dest[:options] with absolute paths'),
);
const DeviceRequest = v.strictObject({
  Driver: v.optional(v.string()),
  Count: v.optional(v.pipe(Int, v.minValue(-1))),
  DeviceIDs: v.optional(v.array(v.string())),
  Capabilities: v.optional(v.array(v.array(v.string()))),
  Options: v.optional(v.record(v.string(), v.string())),
});
const Ulimit = v.strictObject({ Name: v.string(), Soft: Int, Hard: Int });
const HostConfig = v.strictObject({
  Binds: v.optional(v.array(Bind)),
  NetworkMode: v.optional(v.string()),
  IpcMode: v.optional(
    v.union([v.picklist(['none', 'private', 'shareable', 'host']), v.pipe(v.string(), v.startsWith('container:'))]),
  ),
  ShmSize: v.optional(v.pipe(Int, v.minValue(0))),
  Init: v.optional(v.nullable(v.boolean())),
  CapDrop: v.optional(v.array(v.string())),
  CapAdd: v.optional(v.array(v.string())),
  SecurityOpt: v.optional(v.array(v.string())),
  AutoRemove: v.optional(v.boolean()),
  Ulimits: v.optional(v.array(Ulimit)),
  Runtime: v.optional(v.string()),
  NanoCpus: v.optional(v.pipe(Int64, v.minValue(0))),
  Memory: v.optional(v.pipe(Int64, v.minValue(0))),
  MemorySwap: v.optional(Int64),
  PidsLimit: v.optional(v.nullable(Int64)),
  DeviceRequests: v.optional(v.array(DeviceRequest)),
});
export const ContainerCreateBody = v.strictObject({
  Image: v.pipe(v.string(), v.minLength(1)),
  Env: v.optional(v.array(v.pipe(v.string(), v.regex(/^[^=]+=/, 'VAR=value')))),
  Labels: v.optional(v.record(v.string(), v.string())),
  AttachStdin: v.optional(v.boolean()),
  AttachStdout: v.optional(v.boolean()),
  AttachStderr: v.optional(v.boolean()),
  Tty: v.optional(v.boolean()),
  StopSignal: v.optional(v.string()),
  StopTimeout: v.optional(v.nullable(Int)),
  HostConfig: v.optional(HostConfig),
});
/** dockerode sends `name` as the `?name=` query parameter, which the API restricts to this. */
export const ContainerName = v.pipe(v.string(), v.regex(/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/));
