export { Gateway, AGENT_SOCKET_PATH, PLAYER_SOCKET_PATH } from './Gateway.js';
export { loadGatewayConfig, GatewayConfigSchema, type GatewayConfig, type GatewayConfigInput } from './config.js';
export { PlayerTokens, type PlayerTokenClaims } from './auth/PlayerTokens.js';
export { NodeRegistry } from './registry/NodeRegistry.js';
export type { NodeRecord } from './registry/NodeRecord.js';
export { placeSession } from './placement/placeSession.js';
export type { MediaRouter, SessionRoute } from './media/MediaRouter.js';
export { createSocketServer, uwsLoadError, type ServerEngine } from './server/createSocketServer.js';
