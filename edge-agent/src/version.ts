import { createRequire } from 'node:module';

/** This package's version, sent in AgentRegister. Read at runtime: package.json sits outside src/ and dist/. */
export const AGENT_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
