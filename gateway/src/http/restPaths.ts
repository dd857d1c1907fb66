/** `/v1/titles/{titleId}` → `/v1/titles/:titleId` (Fastify's router syntax). */
export function toFastifyPath(openApiPath: string): string {
  return openApiPath.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

/** `/v1/titles/:titleId` → `/v1/titles/{titleId}` (OpenAPI's path templating). */
export function toOpenApiPath(fastifyPath: string): string {
  return fastifyPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
