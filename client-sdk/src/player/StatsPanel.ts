import type { SessionStats } from '../media/deriveStats.js';
import { formatStats } from './formatStats.js';

/** The stats overlay shared by the game client and the cloud-phone page: a toggle button and F2. */
export class StatsPanel {
  readonly #panel: HTMLElement;
  readonly #button: HTMLButtonElement;
  #latest: SessionStats | undefined;

  constructor(panel: HTMLElement, button: HTMLButtonElement, win: Window, visible: boolean) {
    this.#panel = panel;
    this.#button = button;
    button.addEventListener('click', () => this.toggle());
    win.addEventListener('keydown', (event) => {
      if (event.code === 'F2' && !event.repeat) {
        event.preventDefault();
        this.toggle();
      }
    });
    this.setVisible(visible);
  }

  get visible(): boolean {
    return !this.#panel.hidden;
  }

  toggle(): void {
    this.setVisible(!this.visible);
  }

  setVisible(visible: boolean): void {
    this.#panel.hidden = !visible;
    this.#button.setAttribute('aria-pressed', String(visible));
    this.#render();
  }

  update(stats: SessionStats): void {
    this.#latest = stats;
    this.#render();
  }

  #render(): void {
    if (this.#panel.hidden) return;
    this.#panel.textContent = this.#latest ? formatStats(this.#latest).join('\n') : 'Waiting for stats…';
  }
}
