/** One built file of the web player and its size in bytes. */
export interface BuiltFile {
  name: string;
  raw: number;
  gzip: number;
}

/** Builds the web player (and the standalone SDK bundle) into `outDir`, default `dist/web`. */
export function buildWeb(options?: { outDir?: string; quiet?: boolean }): Promise<BuiltFile[]>;
