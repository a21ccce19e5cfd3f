/**
 * Chooses which wrap of a sensor's time counter a counter value belongs to: the multiple of `loopUs`
 * that puts `counterUs` nearest to `anchorUs`. A live packet's header carries its absolute first
 * timestamp; the raw words only carry the counter modulo the loop length.
 */
export function nearestLoopBaseUs(anchorUs: number, counterUs: number, loopUs: number): number {
  const base = Math.round((anchorUs - counterUs) / loopUs) * loopUs;
  return base < 0 ? 0 : base;
}

/** True when this machine stores typed-array elements little-endian (x86, ARM Linux). */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
