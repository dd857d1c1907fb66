import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { RtpIngest } from './RtpIngest.js';

function rtp(ssrc: number, pt: number, seq: number): Buffer {
  const packet = Buffer.alloc(20);
  packet[0] = 0x80;
  packet[1] = pt;
  packet.writeUInt16BE(seq, 2);
  packet.writeUInt32BE(seq * 1500, 4);
  packet.writeUInt32BE(ssrc, 8);
  return packet;
}

const sockets: ReturnType<typeof createSocket>[] = [];
const ingests: RtpIngest[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
  for (const i of ingests.splice(0)) i.close();
});

async function sender() {
  const socket = createSocket('udp4');
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('RtpIngest', () => {
  it('accepts the expected stream and drops wrong SSRC, wrong PT, garbage and RTCP', async () => {
    const received: number[] = [];
    const ingest = await RtpIngest.open({
      host: '127.0.0.1',
      ssrc: 1234,
      payloadType: 96,
      onPacket: (p) => received.push(p.readUInt16BE(2)),
    });
    ingests.push(ingest);
    const agent = await sender();
    const send = (b: Buffer) => agent.send(b, ingest.port, '127.0.0.1');
    send(rtp(1234, 96, 1));
    send(rtp(9999, 96, 2));
    send(rtp(1234, 97, 3));
    send(Buffer.from('hello world, not rtp'));
    const rtcp = rtp(1234, 200, 4);
    send(rtcp);
    send(rtp(1234, 96 | 0x80, 5)); // marker bit set is still PT 96
    await settle();
    expect(received).toEqual([1, 5]);
    expect(ingest.counters).toMatchObject({ packetsIn: 2, packetsRejected: 3, rtcpIn: 1 });
  });

  it('latches onto the first sender and ignores packets from anywhere else', async () => {
    const received: number[] = [];
    const ingest = await RtpIngest.open({
      host: '127.0.0.1',
      ssrc: 1,
      payloadType: 96,
      onPacket: (p) => received.push(p.readUInt16BE(2)),
    });
    ingests.push(ingest);
    const agent = await sender();
    const intruder = await sender();
    agent.send(rtp(1, 96, 10), ingest.port, '127.0.0.1');
    await settle();
    intruder.send(rtp(1, 96, 11), ingest.port, '127.0.0.1');
    agent.send(rtp(1, 96, 12), ingest.port, '127.0.0.1');
    await settle();
    expect(received).toEqual([10, 12]);
  });
});
