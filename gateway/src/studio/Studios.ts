import { isoTime, type StudioContext } from './StudioContext.js';

export interface StudioRecord {
  id: string;
  name: string;
  demo: boolean;
  createdAt: number;
}

interface StudioRow {
  id: string;
  name: string;
  demo: number;
  created_at: number;
}

/** The tenants of the API: every key, title, session and invoice belongs to one studio. */
export class Studios {
  readonly #context: StudioContext;

  constructor(context: StudioContext) {
    this.#context = context;
  }

  create(name: string, options: { demo?: boolean } = {}): StudioRecord {
    const record: StudioRecord = {
      id: this.#context.newId('std'),
      name,
      demo: options.demo ?? false,
      createdAt: this.#context.now(),
    };
    this.#context.db
      .prepare('INSERT INTO studio_studios (id, name, demo, created_at) VALUES (?, ?, ?, ?)')
      .run(record.id, record.name, record.demo ? 1 : 0, record.createdAt);
    return record;
  }

  get(id: string): StudioRecord | undefined {
    const row = this.#context.db.prepare('SELECT * FROM studio_studios WHERE id = ?').get(id) as StudioRow | undefined;
    return row && fromRow(row);
  }

  /** The demo studio, created on first use. */
  demo(): StudioRecord {
    const row = this.#context.db
      .prepare('SELECT * FROM studio_studios WHERE demo = 1 ORDER BY created_at LIMIT 1')
      .get() as StudioRow | undefined;
    return row ? fromRow(row) : this.create('Demo studio', { demo: true });
  }

  static view(record: StudioRecord): { id: string; name: string; createdAt: string } {
    return { id: record.id, name: record.name, createdAt: isoTime(record.createdAt) };
  }
}

function fromRow(row: StudioRow): StudioRecord {
  return { id: row.id, name: row.name, demo: row.demo === 1, createdAt: row.created_at };
}
