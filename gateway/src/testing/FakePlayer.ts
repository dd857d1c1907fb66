import {
  type AnyMessage,
  GatewayToPlayer,
  H264_FMTP,
  InputChannelLabel,
  MessageType,
  type PayloadOf,
  PLAYOUT_DELAY_EXTENSION_URI,
  SignalingChannel,
} from '@frameway/protocol';
import {
  type RTCDataChannel,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  type RtpPacket,
  useSdesMid,
} from 'werift';
import WebSocket from 'ws';

/** A player built on werift instead of a browser, for gateway tests without Chromium. */
export class FakePlayer {
  readonly messages: AnyMessage[] = [];
  /** Every text frame received, before validation (replies to requests included). */
  readonly raw: string[] = [];
  readonly rtp: RtpPacket[] = [];
  channel!: SignalingChannel;
  socket!: WebSocket;
  pc: RTCPeerConnection | undefined;
  input: RTCDataChannel | undefined;
  closedWith: number | undefined;
  readonly closed: Promise<number>;
  #resolveClosed!: (code: number) => void;

  constructor(readonly url: string) {
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  async connect(): Promise<void> {
    this.socket = new WebSocket(this.url);
    this.channel = new SignalingChannel({
      send: (text) => this.socket.send(text),
      accepts: GatewayToPlayer,
      onMessage: (message) => {
        this.messages.push(message);
        if (message.t === MessageType.IceCandidate && message.p.candidate && this.pc) {
          const { candidate, sdpMid = null, sdpMLineIndex = null } = message.p;
          this.pc.addIceCandidate({ candidate, sdpMid, sdpMLineIndex }).catch(() => {});
        }
      },
    });
    this.socket.on('message', (data) => {
      const text = Buffer.from(data as Buffer).toString();
      this.raw.push(text);
      this.channel.receive(text);
    });
    this.socket.on('close', (code) => {
      this.closedWith = code;
      this.channel.close();
      this.#resolveClosed(code);
    });
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
  }

  join(token: string): Promise<PayloadOf<typeof MessageType.PlayerJoined>> {
    return this.channel.request(MessageType.PlayerJoin, { token });
  }

  /** Offers recvonly video + the two input channels, applies the answer, resolves once connected. */
  async negotiate(): Promise<void> {
    const pc = new RTCPeerConnection({
      iceServers: [],
      iceAdditionalHostAddresses: ['127.0.0.1'],
      codecs: {
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90_000,
            parameters: H264_FMTP,
            payloadType: 102,
          }),
        ],
      },
      headerExtensions: {
        video: [useSdesMid(), new RTCRtpHeaderExtensionParameters({ uri: PLAYOUT_DELAY_EXTENSION_URI })],
      },
    });
    this.pc = pc;
    const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
    transceiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((packet) => this.rtp.push(packet));
    });
    this.input = pc.createDataChannel(InputChannelLabel.Reliable);
    pc.createDataChannel(InputChannelLabel.Motion, { ordered: false, maxRetransmits: 0 });
    await pc.setLocalDescription(await pc.createOffer());
    const { sdp } = await this.channel.request(MessageType.PlayerOffer, { sdp: pc.localDescription!.sdp });
    await pc.setRemoteDescription({ type: 'answer', sdp });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('player transport did not connect')), 10_000);
      pc.connectionStateChange.subscribe((state) => {
        if (state === 'connected') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await new Promise<void>((resolve) => {
      if (this.input!.readyState === 'open') resolve();
      else this.input!.stateChanged.subscribe((state) => state === 'open' && resolve());
    });
  }

  sendRaw(text: string): void {
    this.socket.send(text);
  }

  messagesOf<T extends AnyMessage['t']>(t: T): Extract<AnyMessage, { t: T }>[] {
    return this.messages.filter((m) => m.t === t) as Extract<AnyMessage, { t: T }>[];
  }

  async close(): Promise<void> {
    await this.pc?.close();
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close();
  }
}
