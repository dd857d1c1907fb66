// `node --import ./test/bench/loader/register.mjs file.ts` runs TypeScript (see hooks.mjs).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
