/** Removes a listener. Idempotent. */
export type Unsubscribe = () => void;

/**
 * A minimal typed listener list. A listener that throws is reported to `onListenerError` and does
 * not stop the others: a consumer's bug must not stop the link from delivering state.
 */
export class Listeners<T> {
  private readonly list = new Set<(value: T) => void>();

  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  add(listener: (value: T) => void): Unsubscribe {
    this.list.add(listener);
    return () => {
      this.list.delete(listener);
    };
  }

  emit(value: T): void {
    for (const l of this.list) {
      try {
        l(value);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  get size(): number {
    return this.list.size;
  }
}
