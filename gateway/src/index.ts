export { type PlayerTokenClaims, PlayerTokens } from './auth/PlayerTokens.js';
export { type GatewayConfig, type GatewayConfigInput, GatewayConfigSchema, loadGatewayConfig } from './config.js';
export { AGENT_SOCKET_PATH, Gateway, PLAYER_SOCKET_PATH } from './Gateway.js';
export type { MediaRouter, SessionRoute } from './media/MediaRouter.js';
export { placeSession } from './placement/placeSession.js';
export type { NodeRecord } from './registry/NodeRecord.js';
export { NodeRegistry } from './registry/NodeRegistry.js';
export { createSocketServer, type ServerEngine, uwsLoadError } from './server/createSocketServer.js';
