import { describe, expect, it } from 'vitest';
import { ConfigError } from '../ConfigError.js';
import { loadConfig } from '../config.js';
import { parseCliArgs } from '../parseCliArgs.js';
import { fleetConfigFromCli } from './parseFleetCliArgs.js';

describe('fleetConfigFromCli', () => {
  it('reads every fleet flag into the fleet section', () => {
    const values = {
      'node-key': '/keys/n.key',
      country: 'de',
      city: 'Berlin',
      lat: '52.52',
      lon: ' 13.4 ',
      price: '1.5',
      'stake-wei': '1000',
      'encoder-sessions': '3',
      'probe-host': '127.0.0.1',
      'probe-port': '9000',
      'probe-url': 'wss://node.example/probe',
      'probe-delay-ms': '25',
    };
    expect(fleetConfigFromCli(values, {})).toEqual({
      nodeKeyFile: '/keys/n.key',
      location: { country: 'DE', city: 'Berlin', lat: 52.52, lon: 13.4 },
      pricePerBlock: 1.5,
      stakeWei: '1000',
      encoderSessions: 3,
      probe: { host: '127.0.0.1', port: 9000, publicUrl: 'wss://node.example/probe', delayMs: 25 },
    });
  });

  it('falls back to the environment, flags win, and empty variables count as unset', () => {
    const env = {
      FRAMEWAY_NODE_KEY_FILE: 'ephemeral',
      FRAMEWAY_LAT: '48.86',
      FRAMEWAY_LON: '2.35',
      FRAMEWAY_CITY: '',
      FRAMEWAY_PROBE_DELAY_MS: '10',
      FRAMEWAY_PRICE_PER_BLOCK: '2',
    };
    expect(fleetConfigFromCli({ price: '3' }, env)).toEqual({
      nodeKeyFile: 'ephemeral',
      location: { lat: 48.86, lon: 2.35 },
      pricePerBlock: 3,
      probe: { delayMs: 10 },
    });
  });

  it('leaves out what was not given, and turns the probe off with --no-probe', () => {
    expect(fleetConfigFromCli({}, {})).toEqual({});
    expect(fleetConfigFromCli({ 'no-probe': true }, {})).toEqual({ probe: { enabled: false } });
  });

  it('names the flag whose value is not a number', () => {
    expect(() => fleetConfigFromCli({ lat: 'north' }, {})).toThrow(ConfigError);
    expect(() => fleetConfigFromCli({ lat: 'north' }, {})).toThrow(/lat: 'north' is not a number/);
    expect(() => fleetConfigFromCli({}, { FRAMEWAY_PROBE_PORT: ' ' })).toThrow(/probe-port/);
    expect(() => fleetConfigFromCli({ price: 'Infinity' }, {})).toThrow(/price/);
  });
});

describe('agent command line with fleet flags', () => {
  it('passes them through parseCliArgs into a config that validates', () => {
    const command = parseCliArgs(
      ['--secret', 's', '--country', 'fr', '--lat', '48.86', '--lon', '2.35', '--probe-port', '0', '--no-probe'],
      {},
      'box',
    );
    expect(command.kind).toBe('run');
    if (command.kind !== 'run') return;
    const config = loadConfig(command.config);
    expect(config.fleet.location).toEqual({ country: 'FR', lat: 48.86, lon: 2.35 });
    expect(config.fleet.probe).toMatchObject({ enabled: false, port: 0, delayMs: 0 });
  });

  it('lets the config schema refuse values out of range', () => {
    const command = parseCliArgs(['--secret', 's', '--lat', '91', '--probe-port', '70000'], {}, 'box');
    if (command.kind !== 'run') throw new Error('expected a run command');
    expect(() => loadConfig(command.config)).toThrow(/lat/);
    expect(() => loadConfig(command.config)).toThrow(/port/);
  });
});
