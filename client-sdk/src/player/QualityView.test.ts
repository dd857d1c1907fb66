import { describe, expect, it } from 'vitest';
import { QualityView } from './QualityView.js';

function element() {
  const attributes: Record<string, string> = {};
  return {
    dataset: {} as DOMStringMap,
    title: '',
    attributes,
    setAttribute(name: string, value: string) {
      attributes[name] = value;
    },
  };
}

describe('QualityView', () => {
  it('starts unknown and shows the level with the active problems as its label', () => {
    const el = element();
    const view = new QualityView(el);
    expect(el.dataset.level).toBe('unknown');
    view.show('fair', [
      { kind: 'rtt', active: true, value: 120, threshold: 80, message: 'high network round trip: 120' },
    ]);
    expect(el.dataset.level).toBe('fair');
    expect(el.title).toBe('Connection quality: fair\nhigh network round trip: 120');
    expect(el.attributes['aria-label']).toBe(el.title);
    view.show('good', []);
    expect(el.title).toBe('Connection quality: good');
  });
});
