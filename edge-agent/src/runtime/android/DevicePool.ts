import { FramewayError } from '@frameway/protocol';

/** The phones an agent drives, one session each. */
export class DevicePool {
  readonly #devices: readonly string[];
  readonly #busy = new Set<string>();

  constructor(devices: readonly string[]) {
    this.#devices = devices;
  }

  /**
   * Takes `wanted` (it must be one of the pool's), or the first free phone.
   * FW_ERR_FORBIDDEN for a phone not in the pool, FW_ERR_NO_CAPACITY when it
   * (or every phone) is in use.
   */
  acquire(wanted?: string): string {
    if (wanted !== undefined && !this.#devices.includes(wanted)) {
      throw new FramewayError(
        'FW_ERR_FORBIDDEN',
        `device ${JSON.stringify(wanted).slice(0, 100)} is not one this agent drives`,
      );
    }
    const device = wanted ?? this.#devices.find((candidate) => !this.#busy.has(candidate));
    if (device === undefined || this.#busy.has(device)) {
      throw new FramewayError(
        'FW_ERR_NO_CAPACITY',
        wanted ? `device ${wanted} is in use` : 'every phone of this agent is in use',
      );
    }
    this.#busy.add(device);
    return device;
  }

  release(device: string): void {
    this.#busy.delete(device);
  }

  get free(): number {
    return this.#devices.length - this.#busy.size;
  }
}
