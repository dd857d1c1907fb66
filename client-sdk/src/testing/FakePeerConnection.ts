/** A receiver with the low-latency knobs Chrome has. */
export interface FakeReceiver {
  track: { kind: string; id: string };
  jitterBufferTarget: number | null;
  playoutDelayHint: number | null;
}

export interface FakeTransceiver {
  kind: string;
  direction: string;
  receiver: FakeReceiver;
  codecPreferences: { mimeType: string; sdpFmtpLine?: string }[] | undefined;
  setCodecPreferences(codecs: { mimeType: string; sdpFmtpLine?: string }[]): void;
}

export class FakeDataChannel extends EventTarget {
  readonly label: string;
  readonly init: RTCDataChannelInit;
  readyState: RTCDataChannelState = 'connecting';
  bufferedAmount = 0;
  binaryType = 'blob';
  readonly sent: Uint8Array[] = [];

  constructor(label: string, init: RTCDataChannelInit) {
    super();
    this.label = label;
    this.init = init;
  }

  send(data: Uint8Array): void {
    if (this.readyState !== 'open') throw new Error(`send on a channel in state ${this.readyState}`);
    this.sent.push(new Uint8Array(data));
  }

  open(): void {
    this.readyState = 'open';
    this.dispatchEvent(new Event('open'));
  }
}

/** Just enough RTCPeerConnection for the SDK's media layer; the test plays the browser's part. */
export class FakePeerConnection extends EventTarget {
  readonly configuration: RTCConfiguration;
  readonly transceivers: FakeTransceiver[] = [];
  readonly channels: FakeDataChannel[] = [];
  readonly addedCandidates: RTCIceCandidateInit[] = [];
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  connectionState: RTCPeerConnectionState = 'new';
  closed = false;
  statsReport: Map<string, Record<string, unknown>> = new Map();
  /** Set to make setRemoteDescription fail, as a browser does with a malformed answer. */
  rejectAnswer: Error | undefined;

  constructor(configuration: RTCConfiguration) {
    super();
    this.configuration = configuration;
  }

  addTransceiver(kind: string, init: RTCRtpTransceiverInit): FakeTransceiver {
    const receiver: FakeReceiver = {
      track: { kind, id: `${kind}-track` },
      jitterBufferTarget: null,
      playoutDelayHint: null,
    };
    const transceiver: FakeTransceiver = {
      kind,
      direction: init.direction ?? 'sendrecv',
      receiver,
      codecPreferences: undefined,
      setCodecPreferences(codecs) {
        this.codecPreferences = [...codecs];
      },
    };
    this.transceivers.push(transceiver);
    return transceiver;
  }

  createDataChannel(label: string, init: RTCDataChannelInit = {}): FakeDataChannel {
    const channel = new FakeDataChannel(label, init);
    this.channels.push(channel);
    return channel;
  }

  /** The offer `createOffer()` returns; a test may set its own SDP. */
  offerSdp = `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=fake offer\r\n`;

  async createOffer(): Promise<RTCSessionDescriptionInit> {
    return { type: 'offer', sdp: this.offerSdp };
  }

  async setLocalDescription(description: RTCSessionDescriptionInit): Promise<void> {
    this.localDescription = description;
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (this.rejectAnswer) throw this.rejectAnswer;
    this.remoteDescription = description;
  }

  async addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (!this.remoteDescription) throw new Error('addIceCandidate before setRemoteDescription');
    this.addedCandidates.push(candidate);
  }

  async getStats(): Promise<Map<string, Record<string, unknown>>> {
    return this.statsReport;
  }

  close(): void {
    this.closed = true;
    this.connectionState = 'closed';
  }

  /** Plays a locally gathered candidate; null ends gathering. */
  gather(candidate: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null } | null): void {
    this.dispatchEvent(Object.assign(new Event('icecandidate'), { candidate }));
  }

  setConnectionState(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.dispatchEvent(new Event('connectionstatechange'));
  }

  channel(label: string): FakeDataChannel {
    const channel = this.channels.find((c) => c.label === label);
    if (!channel) throw new Error(`no data channel ${label}`);
    return channel;
  }
}
