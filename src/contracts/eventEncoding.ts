/**
 * Wire encodings of raw event data. `evt2` is Prophesee EVT 2.0 (32-bit little-endian words),
 * `evt3` is Prophesee EVT 3.0 (16-bit little-endian words, stateful, vectorised).
 */
export type EventEncoding = 'evt2' | 'evt3';

export const EVENT_ENCODINGS: readonly EventEncoding[] = ['evt2', 'evt3'];
