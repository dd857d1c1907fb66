import { FramewayError, type IceServer } from '@frameway/protocol';
import type { MediaRouter, RouteOptions, SessionRoute } from '../MediaRouter.js';
import { type WeriftRouteConfig, WeriftSessionRoute } from './WeriftSessionRoute.js';

/** The embedded media plane: pure-TypeScript WebRTC, one peer connection per player. */
export class WeriftMediaRouter implements MediaRouter {
  readonly backend = 'werift' as const;
  readonly #config: WeriftRouteConfig;
  readonly #routes = new Set<SessionRoute>();
  #closed = false;

  constructor(config: WeriftRouteConfig) {
    this.#config = config;
  }

  get iceServers(): IceServer[] {
    return this.#config.iceServers;
  }

  async createRoute(options: RouteOptions): Promise<SessionRoute> {
    if (this.#closed) throw new FramewayError('FW_ERR_INVALID_STATE', 'the media router is closed');
    const route: SessionRoute = await WeriftSessionRoute.create(options, this.#config, () =>
      this.#routes.delete(route),
    );
    this.#routes.add(route);
    return route;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const route of [...this.#routes]) route.close();
  }
}
