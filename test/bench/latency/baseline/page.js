// Baseline player: the least a page can do to play the stream and send keys.
// It offers (as the Frameway player does), keeps only H.264 constrained
// baseline so both legs decode the same codec, and sends one DataChannel
// message per key-down.

const video = document.getElementById('video');
const status = document.getElementById('status');
const setState = (state) => {
  status.dataset.state = state;
};

const pc = new RTCPeerConnection({ iceServers: [] });
const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
const h264 = RTCRtpReceiver.getCapabilities('video').codecs.filter(
  (c) =>
    c.mimeType === 'video/H264' &&
    c.sdpFmtpLine?.includes('packetization-mode=1') &&
    c.sdpFmtpLine.includes('profile-level-id=42e01f'),
);
transceiver.setCodecPreferences(h264);

const input = pc.createDataChannel('input', { ordered: true });
addEventListener('keydown', (event) => {
  if (!event.repeat && input.readyState === 'open') input.send(event.code);
});

pc.ontrack = (event) => {
  video.srcObject = event.streams[0] ?? new MediaStream([event.track]);
};
video.addEventListener('playing', () => setState('streaming'));
pc.onconnectionstatechange = () => {
  if (pc.connectionState === 'failed') setState('failed');
};

const ws = new WebSocket(`ws://${location.host}/signal`);
ws.onmessage = async (event) => {
  const message = JSON.parse(event.data);
  if (message.type === 'answer') await pc.setRemoteDescription({ type: 'answer', sdp: message.sdp });
  else if (message.type === 'error') setState('failed');
};
ws.onopen = async () => {
  await pc.setLocalDescription(await pc.createOffer());
  // Non-trickle: on loopback without STUN, gathering finishes in milliseconds.
  if (pc.iceGatheringState !== 'complete') {
    await new Promise((resolve) => {
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    });
  }
  ws.send(JSON.stringify({ type: 'offer', sdp: pc.localDescription.sdp }));
};

// For the bench: what the browser itself negotiated.
window.baseline = {
  pc,
  headerExtensions: () => transceiver.receiver.getParameters().headerExtensions,
};
