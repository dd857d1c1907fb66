import { MessageType, type PayloadOf } from '@frameway/protocol';
import type { IceCandidateMessage } from '../media/MediaConnection.js';
import type { SignalingSocket } from './SignalingSocket.js';

// Outgoing calls of the player link; incoming messages are routed by gatewayHandlers.ts.

export type JoinedSession = PayloadOf<typeof MessageType.PlayerJoined>;

/** Joins the session the token was issued for. */
export function joinSession(
  socket: SignalingSocket,
  token: string,
  sdkVersion: string,
  timeoutMs?: number,
  acceptOverBudget = false,
): Promise<JoinedSession> {
  return socket.request(
    MessageType.PlayerJoin,
    { token, sdkVersion, ...(acceptOverBudget ? { acceptOverBudget } : {}) },
    timeoutMs,
  );
}

/** Sends the offer; resolves with the gateway's answer SDP. */
export async function exchangeOffer(socket: SignalingSocket, sdp: string, timeoutMs?: number): Promise<string> {
  const answer = await socket.request(MessageType.PlayerOffer, { sdp }, timeoutMs);
  return answer.sdp;
}

/** Trickles one local ICE candidate; `candidate: ''` tells the gateway gathering is complete. */
export function sendIceCandidate(socket: SignalingSocket, candidate: IceCandidateMessage): void {
  const payload: PayloadOf<typeof MessageType.IceCandidate> = { candidate: candidate.candidate };
  if (candidate.sdpMid !== undefined) payload.sdpMid = candidate.sdpMid;
  if (candidate.sdpMLineIndex !== undefined) payload.sdpMLineIndex = candidate.sdpMLineIndex;
  socket.notify(MessageType.IceCandidate, payload);
}

/** Tells the gateway the player is leaving; the socket closes right after, so no reply is awaited. */
export function leaveSession(socket: SignalingSocket): void {
  socket.notify(MessageType.PlayerLeave, {});
}

/** Round trip on the player socket; rejects (FW_ERR_TIMEOUT, FW_ERR_CONNECTION_CLOSED) when the gateway does not answer. */
export async function pingGateway(socket: SignalingSocket, timeoutMs: number): Promise<number> {
  const sentAt = Date.now();
  await socket.request(MessageType.Ping, { ts: sentAt }, timeoutMs);
  return Date.now() - sentAt;
}
