export { type PlayerTokenClaims, PlayerTokens } from './auth/PlayerTokens.js';
export { type GatewayConfig, type GatewayConfigInput, GatewayConfigSchema, loadGatewayConfig } from './config.js';
export { DEFAULT_PLACEMENT_CONFIG, type PlacementConfig } from './fleet/fleetConfig.js';
export { AGENT_SOCKET_PATH, Gateway, PLAYER_SOCKET_PATH } from './Gateway.js';
export { type FleetProber, FleetProbeScheduler } from './latency/FleetProbeScheduler.js';
export { NeighbourSets } from './latency/NeighbourSets.js';
export { GATEWAY_COORDINATE_ID, NetworkCoordinates } from './latency/NetworkCoordinates.js';
export type { MediaRouter, SessionRoute } from './media/MediaRouter.js';
export { type ConstraintRejection, capabilityMask, FleetIndex } from './placement/FleetIndex.js';
export { LatencyPlacer } from './placement/LatencyPlacer.js';
export {
  type CompiledQuery,
  type PlacementDecision,
  PlacementEngine,
  type PlacementQuery,
  type ProbeCandidate,
} from './placement/PlacementEngine.js';
export { newPlayerLatencyState, type PlayerLatencyState, ProbePlanner } from './placement/ProbePlanner.js';
export { placeSession } from './placement/placeSession.js';
export { TIME_ZONE_LOCATIONS, timeZoneLocation } from './placement/timeZoneLocation.js';
export { createRandom } from './random/createRandom.js';
export type { NodeRecord } from './registry/NodeRecord.js';
export { NodeRegistry } from './registry/NodeRegistry.js';
export { createSocketServer, type ServerEngine, uwsLoadError } from './server/createSocketServer.js';
