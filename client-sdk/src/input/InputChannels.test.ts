import { describe, expect, it } from 'vitest';
import { FakeDataChannel } from '../testing/FakePeerConnection.js';
import { InputChannels } from './InputChannels.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

function channels(options = {}) {
  const reliable = new FakeDataChannel('input', {});
  const motion = new FakeDataChannel('input-motion', {});
  return { reliable, motion, sink: new InputChannels(reliable, motion, options) };
}

describe('InputChannels', () => {
  it('sends edges on the reliable channel and motion on the motion channel', () => {
    const { reliable, motion, sink } = channels();
    reliable.open();
    motion.open();
    sink.send(bytes(1), true);
    sink.send(bytes(3), false);
    expect(reliable.sent).toEqual([bytes(1)]);
    expect(motion.sent).toEqual([bytes(3)]);
  });

  it('queues edges until the reliable channel opens, then sends them in order', () => {
    const { reliable, sink } = channels();
    sink.send(bytes(1), true);
    sink.send(bytes(2), true);
    expect(reliable.sent).toEqual([]);
    expect(sink.open).toBe(false);
    reliable.open();
    expect(reliable.sent).toEqual([bytes(1), bytes(2)]);
    expect(sink.open).toBe(true);
  });

  it('bounds the queue and counts what it drops', () => {
    const { reliable, sink } = channels({ maxQueuedMessages: 2 });
    for (let i = 0; i < 5; i++) sink.send(bytes(i), true);
    reliable.open();
    expect(reliable.sent).toEqual([bytes(0), bytes(1)]);
    expect(sink.dropped).toBe(3);
  });

  it('never queues motion: a stale pointer move is worse than none', () => {
    const { motion, sink } = channels();
    sink.send(bytes(3), false);
    motion.open();
    expect(motion.sent).toEqual([]);
    expect(sink.dropped).toBe(1);
  });

  it('drops motion while the motion channel is backed up', () => {
    const { motion, sink } = channels({ maxMotionBufferedBytes: 100 });
    motion.open();
    motion.bufferedAmount = 101;
    sink.send(bytes(3), false);
    motion.bufferedAmount = 0;
    sink.send(bytes(4), false);
    expect(motion.sent).toEqual([bytes(4)]);
  });

  it('drops everything after close, queued edges included', () => {
    const { reliable, sink } = channels();
    sink.send(bytes(1), true);
    sink.close();
    sink.close();
    reliable.open();
    sink.send(bytes(2), true);
    expect(reliable.sent).toEqual([]);
    expect(sink.dropped).toBe(2);
  });

  it('survives a channel that throws on send because it just closed', () => {
    const { reliable, sink } = channels();
    reliable.open();
    reliable.readyState = 'open';
    reliable.send = () => {
      throw new Error('InvalidStateError');
    };
    sink.send(bytes(1), true); // a throw here fails the test
    expect(sink.dropped).toBe(1);
  });
});
