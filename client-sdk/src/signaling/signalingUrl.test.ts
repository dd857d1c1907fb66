import { describe, expect, it } from 'vitest';
import { signalingUrlFor } from './signalingUrl.js';

describe('signalingUrlFor', () => {
  it('derives the player socket from the gateway URL', () => {
    expect(signalingUrlFor('http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/ws/player');
    expect(signalingUrlFor('https://gw.example.net/')).toBe('wss://gw.example.net/ws/player');
    expect(signalingUrlFor('https://gw.example.net/eu1/?x=1#y')).toBe('wss://gw.example.net/eu1/ws/player');
  });

  it('uses an explicit signaling URL, resolving relative ones against the gateway', () => {
    expect(signalingUrlFor('http://a.test', 'wss://b.test/ws/player')).toBe('wss://b.test/ws/player');
    expect(signalingUrlFor('https://a.test', '/ws/player?s=1')).toBe('wss://a.test/ws/player?s=1');
    expect(signalingUrlFor('http://a.test', 'http://b.test/ws/player')).toBe('ws://b.test/ws/player');
  });

  it('rejects URLs that are not http(s) or ws(s)', () => {
    expect(() => signalingUrlFor('ftp://a.test')).toThrow(TypeError);
    expect(() => signalingUrlFor('http://a.test', 'ftp://b.test/x')).toThrow(TypeError);
    expect(() => signalingUrlFor('not a url')).toThrow(TypeError);
  });
});
