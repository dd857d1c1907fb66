// Entry of the cloud-phone page the gateway serves at `/phone`; the logic lives in src/player.
import { mountPhone } from '../src/player/mountPhone.js';

void mountPhone(document);
