import type { QualityLevel, QualityWarning } from '../media/QualityMonitor.js';

/** The fields of the quality indicator element this view writes. */
export interface QualityElement {
  dataset: DOMStringMap;
  title: string;
  setAttribute(name: string, value: string): void;
}

const LABELS: Readonly<Record<QualityLevel | 'unknown', string>> = {
  unknown: 'Connection quality: measuring…',
  good: 'Connection quality: good',
  fair: 'Connection quality: fair',
  poor: 'Connection quality: poor',
};

/** The quality indicator: `data-level` = unknown | good | fair | poor, the active problems as its tooltip. */
export class QualityView {
  readonly #element: QualityElement;

  constructor(element: QualityElement) {
    this.#element = element;
    this.show(undefined, []);
  }

  show(level: QualityLevel | undefined, warnings: readonly QualityWarning[]): void {
    const key = level ?? 'unknown';
    this.#element.dataset.level = key;
    const detail = warnings.filter((w) => w.active).map((w) => w.message);
    const label = [LABELS[key], ...detail].join('\n');
    this.#element.title = label;
    this.#element.setAttribute('aria-label', label);
  }
}
