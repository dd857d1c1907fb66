// Entry of the web player page the gateway serves at `/`; the logic lives in src/player.
import { mountPlayer } from '../src/player/mountPlayer.js';

void mountPlayer(document);
