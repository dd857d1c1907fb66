/** The app icon (web/icon.svg's drawing) as a PNG file; `maskable` fills the square and keeps the drawing in the safe zone. */
export function renderIconPng(size: number, options?: { maskable?: boolean }): Buffer;

/** Encodes RGBA pixels as a PNG file. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer;
