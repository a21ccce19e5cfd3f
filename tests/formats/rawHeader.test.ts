import { describe, expect, it } from 'vitest';
import { formatRawHeader, parseRawHeader, RawFormatError, resolveRawFormat } from '../../src/formats/evt/index.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('RAW header', () => {
  it('reads a modern Metavision header with % end', () => {
    const bytes = new Uint8Array([...enc('% camera_integrator_name Prophesee\n% format EVT3;height=720;width=1280\n% geometry 1280x720\n% end\n'), 0x01, 0x80]);
    const h = parseRawHeader(bytes);
    expect(h.hasEndMarker).toBe(true);
    expect(bytes[h.headerBytes]).toBe(0x01);
    const f = resolveRawFormat(h);
    expect(f).toMatchObject({ encoding: 'evt3', formatName: 'EVT3', geometry: { widthPx: 1280, heightPx: 720 }, geometrySource: 'format' });
  });

  it('reads the legacy "% evt 3.0" and "% geometry WxH" forms without % end', () => {
    const bytes = new Uint8Array([...enc('% Date 2019-03-02\n% evt 3.0\n% geometry 640x480\n'), 0x00, 0x80]);
    const h = parseRawHeader(bytes);
    expect(h.hasEndMarker).toBe(false);
    expect(h.headerBytes).toBe(bytes.length - 2);
    expect(resolveRawFormat(h)).toMatchObject({ encoding: 'evt3', geometry: { widthPx: 640, heightPx: 480 }, geometrySource: 'geometry field' });
  });

  it('stops at a line with binary bytes even if it starts with %', () => {
    const bytes = new Uint8Array([...enc('% evt 2.0\n'), 0x25, 0x00, 0x00, 0x80, 0x0a]);
    expect(parseRawHeader(bytes).headerBytes).toBe(10);
  });

  it('infers the geometry of old recordings from the sensor fields', () => {
    const gen31 = parseRawHeader(enc('% evt 2.0\n% integrator_name Prophesee\n% plugin_name hal_plugin_gen31_fx3\n% system_ID 28\n'));
    expect(resolveRawFormat(gen31)).toMatchObject({ encoding: 'evt2', geometry: { widthPx: 640, heightPx: 480 }, geometrySource: 'sensor' });
    const imx636 = parseRawHeader(enc('% format EVT3\n% system_ID 49\n'));
    expect(resolveRawFormat(imx636).geometry).toEqual({ widthPx: 1280, heightPx: 720 });
    const gen41 = parseRawHeader(enc('% evt 3.0\n% sensor_generation 4.1\n'));
    expect(resolveRawFormat(gen41).geometry).toEqual({ widthPx: 1280, heightPx: 720 });
    // a system id alone, no format: the camera's default encoding, as OpenEB does
    expect(resolveRawFormat(parseRawHeader(enc('% system_ID 48\n')))).toMatchObject({ encoding: 'evt3' });
  });

  it('ignores the system ID of a third-party integrator', () => {
    const h = parseRawHeader(enc('% evt 3.0\n% integrator_name Acme\n% system_ID 49\n'));
    expect(() => resolveRawFormat(h)).toThrow(/--width and --height/);
    expect(resolveRawFormat(h, { widthPx: 346, heightPx: 260 })).toMatchObject({ geometry: { widthPx: 346, heightPx: 260 }, geometrySource: 'user' });
  });

  it('says clearly what is wrong', () => {
    expect(() => resolveRawFormat(parseRawHeader(enc('% format EVT21;height=720;width=1280\n')))).toThrow(/unsupported event format "EVT21"/);
    expect(() => resolveRawFormat(parseRawHeader(enc('% format AER-8b\n')))).toThrow(RawFormatError);
    expect(() => resolveRawFormat(parseRawHeader(new Uint8Array([1, 2, 3])))).toThrow(/no Prophesee RAW header/);
    expect(() => resolveRawFormat(parseRawHeader(enc('% date today\n')))).toThrow(/names no event format/);
    expect(() => resolveRawFormat(parseRawHeader(enc('% format EVT3;height=720;width=1280\n% geometry 640x480\n')))).toThrow(/contradicts itself/);
    expect(() => resolveRawFormat(parseRawHeader(enc('% evt 3.0\n% geometry big\n')))).toThrow(/malformed/);
    expect(() => resolveRawFormat(parseRawHeader(enc('% format EVT3;height=720;width=1280\n')), { widthPx: 640, heightPx: 480 })).toThrow(/contradict/);
  });

  it('decodes headerless data when the user gives format and geometry', () => {
    const f = resolveRawFormat(parseRawHeader(new Uint8Array([0, 0x80])), { encoding: 'evt3', widthPx: 320, heightPx: 240 });
    expect(f).toMatchObject({ encoding: 'evt3', geometry: { widthPx: 320, heightPx: 240 } });
  });

  it('writes headers that it reads back', () => {
    const bytes = formatRawHeader('evt2', { widthPx: 346, heightPx: 260 }, { serial_number: 'SIM-1' });
    const h = parseRawHeader(bytes);
    expect(h.headerBytes).toBe(bytes.length);
    expect(h.fields.get('serial_number')).toBe('SIM-1');
    expect(resolveRawFormat(h)).toMatchObject({ encoding: 'evt2', geometry: { widthPx: 346, heightPx: 260 } });
  });
});
