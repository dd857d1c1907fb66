import * as v from 'valibot';
import { Label, Region, ResourceId, Timestamp } from './common.js';

/** GPU tiers a title can ask for; `any` runs on whatever node has a free slot. */
export const GpuClass = { Any: 'any', Integrated: 'integrated', Entry: 'entry', Mid: 'mid', High: 'high' } as const;
export type GpuClass = (typeof GpuClass)[keyof typeof GpuClass];

/** A command line as the node's allow-list names it (nodes run only commands their operator listed). */
const CommandLine = v.pipe(v.string(), v.minLength(1), v.maxLength(4096));
const ImageRef = v.pipe(
  v.string(),
  v.regex(/^[a-z0-9][a-z0-9._/:@-]{0,254}$/, 'a container image reference such as ghcr.io/studio/game:1.2'),
);
const EnvName = v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment variable name'));

// 4:2:0 chroma subsampling needs even dimensions.
const even = (what: string) => v.multipleOf(2, `${what} must be even`);

/** What a title needs from the node and the network; every field has a default. */
export const TitleRequirements = v.strictObject({
  gpuClass: v.optional(v.picklist(Object.values(GpuClass)), GpuClass.Any),
  resolution: v.optional(
    v.strictObject({
      width: v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(7680), even('width')),
      height: v.pipe(v.number(), v.integer(), v.minValue(16), v.maxValue(4320), even('height')),
    }),
    { width: 1280, height: 720 },
  ),
  fps: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(240)), 60),
  /** Largest player-to-node round trip a session of this title may be placed at. */
  latencyBudgetMs: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(1000), v.description('Largest round trip, ms.')),
    30,
  ),
  maxSessionMinutes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(24 * 60)), 240),
  /** Regions sessions may run in; empty = anywhere. */
  regions: v.optional(v.pipe(v.array(Region), v.maxLength(32)), []),
});

/** A game packaged as a container image (production) or an X11 command (local use), or the built-in test scene. */
export const GameRuntime = v.variant('type', [
  v.strictObject({
    type: v.literal('container'),
    image: ImageRef,
    command: v.optional(CommandLine),
    env: v.optional(v.record(EnvName, v.pipe(v.string(), v.maxLength(4096)))),
  }),
  v.strictObject({
    type: v.literal('x11'),
    command: CommandLine,
  }),
  v.strictObject({
    type: v.literal('scene'),
  }),
]);

/** An Android app on a cloud-phone image: the package to launch and where its APK comes from. */
export const AndroidApp = v.strictObject({
  package: v.pipe(
    v.string(),
    v.regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/, 'an Android package name such as com.studio.game'),
  ),
  apkUrl: v.optional(v.pipe(v.string(), v.url(), v.maxLength(2048))),
  /** The cloud-phone image; the node's default when absent. */
  image: v.optional(ImageRef),
});

const titleName = { name: Label };

export const CreateTitleRequest = v.variant('kind', [
  v.strictObject({
    kind: v.literal('game'),
    ...titleName,
    runtime: GameRuntime,
    requirements: v.optional(TitleRequirements, {}),
  }),
  v.strictObject({
    kind: v.literal('android_app'),
    ...titleName,
    app: AndroidApp,
    requirements: v.optional(TitleRequirements, {}),
  }),
]);

const titleMeta = {
  id: ResourceId,
  createdAt: Timestamp,
  /** Set when the title was archived; archived titles start no sessions. */
  archivedAt: v.nullable(Timestamp),
};

const ResolvedRequirements = v.object({
  gpuClass: v.picklist(Object.values(GpuClass)),
  resolution: v.object({ width: v.number(), height: v.number() }),
  fps: v.number(),
  latencyBudgetMs: v.number(),
  maxSessionMinutes: v.number(),
  regions: v.array(v.string()),
});

export const Title = v.variant('kind', [
  v.object({
    ...titleMeta,
    kind: v.literal('game'),
    ...titleName,
    runtime: GameRuntime,
    requirements: ResolvedRequirements,
  }),
  v.object({
    ...titleMeta,
    kind: v.literal('android_app'),
    ...titleName,
    app: AndroidApp,
    requirements: ResolvedRequirements,
  }),
]);

export const TitleIdParams = v.strictObject({ titleId: ResourceId });

export type TitleRequirements = v.InferOutput<typeof TitleRequirements>;
export type GameRuntime = v.InferOutput<typeof GameRuntime>;
export type AndroidApp = v.InferOutput<typeof AndroidApp>;
export type CreateTitleRequest = v.InferInput<typeof CreateTitleRequest>;
export type Title = v.InferOutput<typeof Title>;
