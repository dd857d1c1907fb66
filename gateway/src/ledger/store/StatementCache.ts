import type { Statement } from 'better-sqlite3';
import type { Db } from '../../store/openDatabase.js';

/** Prepared statements by their SQL text: each is prepared once per database. */
export class StatementCache {
  readonly #db: Db;
  readonly #statements = new Map<string, Statement<unknown[]>>();

  constructor(db: Db) {
    this.#db = db;
  }

  sql(text: string): Statement<unknown[]> {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.#db.prepare<unknown[]>(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }
}
