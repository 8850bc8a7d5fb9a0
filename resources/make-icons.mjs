#!/usr/bin/env node
// Draws Burrow's app and tray icons (PNG, macOS template PNG, Windows ICO) with no
// image tools: shapes are rasterised with 4x4 supersampling and written with zlib.
// Run: node resources/make-icons.mjs   (the outputs are committed)
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
function ico(pngs) {
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach(({ size, data }, i) => {
    const e = 6 + i * 16;
    header[e] = size >= 256 ? 0 : size;
    header[e + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, e + 4); // planes
    header.writeUInt16LE(32, e + 6); // bpp
    header.writeUInt32LE(data.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...pngs.map((p) => p.data)]);
}

// Shapes in unit coordinates (0..1, y down).
const inCircle = (x, y, cx, cy, r) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const inRect = (x, y, x0, y0, x1, y1) => x >= x0 && x <= x1 && y >= y0 && y <= y1;
const outerArch = (x, y) => inRect(x, y, 0.1, 0.5, 0.9, 0.9) || inCircle(x, y, 0.5, 0.5, 0.4);
const tunnel = (x, y) => inRect(x, y, 0.33, 0.6, 0.67, 0.9) || inCircle(x, y, 0.5, 0.6, 0.17);
const ringInside = (x, y) => inRect(x, y, 0.19, 0.5, 0.81, 0.81) || inCircle(x, y, 0.5, 0.5, 0.31);
const badge = (x, y) => inCircle(x, y, 0.8, 0.2, 0.17);
const badgeGap = (x, y) => inCircle(x, y, 0.8, 0.2, 0.24);

const SHAPES = {
  // Off: an outline (not only a colour difference).
  off: (x, y) => (outerArch(x, y) && !ringInside(x, y) && !tunnel(x, y) ? 'body' : null),
  healthy: (x, y) => (outerArch(x, y) && !tunnel(x, y) ? 'body' : null),
  trouble: (x, y) => (badge(x, y) ? 'badge' : badgeGap(x, y) ? null : outerArch(x, y) && !tunnel(x, y) ? 'body' : null),
};
const COLOURS = {
  off: { body: [138, 143, 152] },
  healthy: { body: [46, 160, 67] },
  trouble: { body: [210, 153, 34], badge: [218, 54, 51] },
};

function render(size, shape, colourOf, background) {
  const out = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = (px + (sx + 0.5) / S) / size;
          const y = (py + (sy + 0.5) / S) / size;
          const part = shape(x, y);
          const c = part ? colourOf(part) : background?.(x, y);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += c[3] ?? 255;
        }
      }
      const n = S * S;
      const i = (py * size + px) * 4;
      const cov = a / 255;
      out[i] = cov ? Math.round(r / cov) : 0;
      out[i + 1] = cov ? Math.round(g / cov) : 0;
      out[i + 2] = cov ? Math.round(b / cov) : 0;
      out[i + 3] = Math.round(a / n);
    }
  }
  return png(size, out);
}

function write(rel, data) {
  const file = join(here, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
}

for (const state of ['off', 'healthy', 'trouble']) {
  const colour = (part) => COLOURS[state][part];
  const black = () => [0, 0, 0];
  // Linux (and the fallback): colour PNG, 32 px and @2x.
  write(`tray/tray-${state}.png`, render(32, SHAPES[state], colour));
  write(`tray/tray-${state}@2x.png`, render(64, SHAPES[state], colour));
  // macOS: template images, black with alpha; the menu bar tints them.
  write(`tray/tray-${state}Template.png`, render(16, SHAPES[state], black));
  write(`tray/tray-${state}Template@2x.png`, render(32, SHAPES[state], black));
  // Windows: ICO with 16 and 32 px images.
  write(`tray/tray-${state}.ico`, ico([16, 32].map((size) => ({ size, data: render(size, SHAPES[state], colour) }))));
}

// The app icon: the healthy arch in white on a rounded blue square.
const roundedSquare = (x, y) => {
  const r = 0.2,
    m = 0.04;
  const cx = Math.min(Math.max(x, m + r), 1 - m - r);
  const cy = Math.min(Math.max(y, m + r), 1 - m - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && inRect(x, y, m, m, 1 - m, 1 - m);
};
const appShape = (x, y) => {
  const u = (x - 0.5) / 0.62 + 0.5,
    v = (y - 0.52) / 0.62 + 0.5;
  return outerArch(u, v) && !tunnel(u, v) ? 'body' : null;
};
const appBg = (x, y) => (roundedSquare(x, y) ? [31, 111, 235] : null);
const appColour = () => [255, 255, 255];
write('icon.png', render(512, appShape, appColour, appBg));
write('icon.ico', ico([16, 32, 48, 256].map((size) => ({ size, data: render(size, appShape, appColour, appBg) }))));
console.log('icons written to', here);
