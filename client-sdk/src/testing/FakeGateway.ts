import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import {
  type AnyMessage,
  decodeInputEvents,
  type ErrorCode,
  FramewayError,
  H264_FMTP,
  InputChannelLabel,
  type InputEvent,
  MessageType,
  PlayerToGateway,
  type SessionEndReason,
  SignalingChannel,
} from '@frameway/protocol';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { type WebSocket, WebSocketServer } from 'ws';

export interface FakeGatewayOptions {
  /** The built web player (dist/web). */
  webRoot: string;
  /** What POST /v1/demo/session does. */
  demo?: 'ok' | { status: number; code: string; message: string };
  /** Refuse PlayerJoin with this code. */
  refuseJoin?: ErrorCode;
  /** Refuse a rejoin (PlayerJoin on any socket after the first) with this code. */
  refuseRejoin?: ErrorCode;
  /** Stream an ffmpeg test pattern (when ffmpeg is installed). */
  video?: { width: number; height: number; fps: number };
}

/** One connected player as the fake gateway sees it. */
export interface FakePlayer {
  socket: WebSocket;
  channel: SignalingChannel;
  peer?: RTCPeerConnection;
  input: { reliable: InputEvent[]; motion: InputEvent[] };
  received: AnyMessage[];
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Extension-less routes, as the real gateway maps them. */
const pages: Record<string, string> = { '/': 'index.html', '/phone': 'phone.html' };

/** True when an ffmpeg with libx264 is on PATH. */
export function hasFfmpeg(): boolean {
  const probe = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  return probe.status === 0 && probe.stdout.includes('libx264');
}

/**
 * A gateway stand-in for browser tests of the web player: serves the page,
 * hands out demo sessions, runs the player socket protocol, answers the offer
 * with werift (loopback only, no STUN) and records the input it receives.
 */
export class FakeGateway {
  readonly players: FakePlayer[] = [];
  readonly #options: FakeGatewayOptions;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #track = new MediaStreamTrack({ kind: 'video' });
  #ffmpeg: ChildProcess | undefined;
  #udp: UdpSocket | undefined;
  #sessions = 0;

  private constructor(options: FakeGatewayOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => void this.#http(req, res));
    this.#wss = new WebSocketServer({ server: this.#server, path: '/ws/player' });
    this.#wss.on('connection', (socket) => this.#onPlayer(socket));
  }

  static async start(options: FakeGatewayOptions): Promise<FakeGateway> {
    const gateway = new FakeGateway(options);
    await new Promise<void>((resolve) => gateway.#server.listen(0, '127.0.0.1', resolve));
    if (options.video) await gateway.#startVideo(options.video);
    return gateway;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Every input event received so far, per channel. */
  get input(): { reliable: InputEvent[]; motion: InputEvent[] } {
    return {
      reliable: this.players.flatMap((p) => p.input.reliable),
      motion: this.players.flatMap((p) => p.input.motion),
    };
  }

  /** Ends every session the way the real gateway does: SessionEnded, then close. */
  endSessions(reason: SessionEndReason, code?: string, message?: string): void {
    for (const player of this.players) {
      player.channel.notify(MessageType.SessionEnded, {
        sessionId: 'fake-session',
        reason,
        ...(code ? { code } : {}),
        ...(message ? { message } : {}),
      });
      player.socket.close(1000);
    }
  }

  /** Closes every player's peer connection (DTLS close, ICE stops answering) and keeps the sockets, like a lost media path. */
  async dropMedia(): Promise<void> {
    for (const player of this.players) await player.peer?.close();
  }

  /** Drops every player socket without a word, like a crashed gateway. */
  dropSockets(): void {
    for (const player of this.players) player.socket.terminate();
  }

  async close(): Promise<void> {
    this.#ffmpeg?.kill('SIGKILL');
    this.#udp?.close();
    for (const player of this.players) {
      player.socket.terminate();
      await player.peer?.close();
    }
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #http(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'POST' && url.pathname === '/v1/demo/session') {
      const demo = this.#options.demo ?? 'ok';
      const [status, body] =
        demo === 'ok'
          ? [
              200,
              {
                token: `demo-${++this.#sessions}`,
                sessionId: 'fake-session',
                signalingUrl: `${this.url.replace('http', 'ws')}/ws/player`,
              },
            ]
          : [demo.status, { code: demo.code, message: demo.message }];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    const name = pages[url.pathname] ?? url.pathname.slice(1);
    // Flat files, plus the code-split chunks/ folder the build emits.
    if (req.method !== 'GET' || name.includes('..') || !/^(chunks\/)?[^/]+$/.test(name)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(join(this.#options.webRoot, name));
      res.writeHead(200, { 'content-type': contentTypes[extname(name)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  }

  #onPlayer(socket: WebSocket): void {
    const player: FakePlayer = {
      socket,
      input: { reliable: [], motion: [] },
      received: [],
      channel: new SignalingChannel({
        send: (text) => socket.send(text),
        accepts: PlayerToGateway,
        onMessage: (message) => void this.#onMessage(player, message),
      }),
    };
    this.players.push(player);
    socket.on('message', (data, isBinary) => {
      if (!isBinary) player.channel.receive(data.toString());
    });
    socket.on('close', () => player.channel.close());
  }

  async #onMessage(player: FakePlayer, message: AnyMessage): Promise<void> {
    player.received.push(message);
    const { channel } = player;
    switch (message.t) {
      case MessageType.PlayerJoin: {
        const refusal =
          this.players.indexOf(player) > 0
            ? (this.#options.refuseRejoin ?? this.#options.refuseJoin)
            : this.#options.refuseJoin;
        if (refusal) {
          channel.replyError(message.id, new FramewayError(refusal, 'refused by the fake gateway'));
          return;
        }
        const video = this.#options.video ?? { width: 1280, height: 720, fps: 60 };
        channel.reply(message, MessageType.PlayerJoined, { sessionId: 'fake-session', iceServers: [], video });
        channel.notify(MessageType.SessionState, { sessionId: 'fake-session', state: 'placing' });
        channel.notify(MessageType.SessionState, { sessionId: 'fake-session', state: 'starting' });
        return;
      }
      case MessageType.PlayerOffer: {
        const sdp = await this.#answer(player, message.p.sdp);
        channel.reply(message, MessageType.PlayerAnswer, { sdp });
        channel.notify(MessageType.SessionState, { sessionId: 'fake-session', state: 'streaming' });
        return;
      }
      case MessageType.IceCandidate:
        if (message.p.candidate) {
          await player.peer
            ?.addIceCandidate({
              candidate: message.p.candidate,
              sdpMid: message.p.sdpMid ?? null,
              sdpMLineIndex: message.p.sdpMLineIndex ?? null,
            })
            .catch(() => undefined);
        }
        return;
      case MessageType.Ping:
        channel.reply(message, MessageType.Pong, { ts: message.p.ts });
        return;
      default:
        return;
    }
  }

  async #answer(player: FakePlayer, offer: string): Promise<string> {
    const peer = new RTCPeerConnection({
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      codecs: {
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90_000,
            parameters: H264_FMTP,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
          }),
        ],
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })],
      },
    });
    player.peer = peer;
    peer.onDataChannel.subscribe((dataChannel) => {
      const list = dataChannel.label === InputChannelLabel.Motion ? player.input.motion : player.input.reliable;
      dataChannel.onMessage.subscribe((data) => {
        if (typeof data !== 'string') list.push(...decodeInputEvents(new Uint8Array(data)));
      });
    });
    peer.onIceCandidate.subscribe((candidate) => {
      const json = candidate?.toJSON();
      player.channel.notify(MessageType.IceCandidate, {
        candidate: json?.candidate ?? '',
        ...(json ? { sdpMid: json.sdpMid ?? null, sdpMLineIndex: json.sdpMLineIndex ?? null } : {}),
      });
    });
    await peer.setRemoteDescription({ type: 'offer', sdp: offer });
    const video = peer.getTransceivers().find((t) => t.kind === 'video');
    if (video) {
      video.setDirection('sendonly');
      await video.sender.replaceTrack(this.#track);
    }
    await peer.setLocalDescription(await peer.createAnswer());
    return peer.localDescription?.sdp ?? '';
  }

  async #startVideo(video: { width: number; height: number; fps: number }): Promise<void> {
    const udp = createSocket('udp4');
    this.#udp = udp;
    udp.on('message', (packet) => this.#track.writeRtp(packet));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const { port } = udp.address();
    this.#ffmpeg = spawn(
      'ffmpeg',
      [
        ['-hide_banner', '-loglevel', 'error', '-re'],
        ['-f', 'lavfi', '-i', `testsrc2=size=${video.width}x${video.height}:rate=${video.fps}`],
        ['-c:v', 'libx264', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast'],
        ['-tune', 'zerolatency', '-g', String(video.fps), '-bf', '0', '-x264-params', 'repeat-headers=1'],
        ['-f', 'rtp', '-payload_type', '96', `rtp://127.0.0.1:${port}?pkt_size=1200`],
      ].flat(),
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
}
