/**
 * Draws the Teams app icons for Postwatch and writes them to manifest/:
 *   color.png   192x192, fully opaque: NHS-blue tile, a white speech bubble holding a dark-blue
 *               shield with a watchful eye (a post, kept safe, under watch).
 *   outline.png 32x32, white on a fully transparent background (as Teams requires): the same
 *               bubble as an outline with a solid shield inside.
 *
 * Shapes are described in a 0..1 coordinate space and rasterised with 8x8 supersampling, so the
 * edges are anti-aliased. Run with `npx tsx scripts/make-icons.ts`; the PNGs are committed.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

type Point = readonly [number, number];
type Shape = (x: number, y: number) => boolean;
type Rgb = readonly [number, number, number];

/** NHS identity palette. */
export const NHS_BLUE: Rgb = [0x00, 0x5e, 0xb8];
export const NHS_DARK_BLUE: Rgb = [0x00, 0x30, 0x87];
const WHITE: Rgb = [0xff, 0xff, 0xff];

// ---------------------------------------------------------------- shapes

function roundedRect(x0: number, y0: number, x1: number, y1: number, r: number): Shape {
  return (x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
}

function circle(cx: number, cy: number, r: number): Shape {
  return (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** Even-odd point-in-polygon. */
function polygon(points: readonly Point[]): Shape {
  return (x, y) => {
    let inside = false;
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const [xi, yi] = points[i]!;
      const [xj, yj] = points[j]!;
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  };
}

function union(...shapes: Shape[]): Shape {
  return (x, y) => shapes.some((s) => s(x, y));
}

function intersect(...shapes: Shape[]): Shape {
  return (x, y) => shapes.every((s) => s(x, y));
}

function minus(a: Shape, b: Shape): Shape {
  return (x, y) => a(x, y) && !b(x, y);
}

function quadratic(p0: Point, c: Point, p1: Point, steps: number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    out.push([u * u * p0[0] + 2 * u * t * c[0] + t * t * p1[0], u * u * p0[1] + 2 * u * t * c[1] + t * t * p1[1]]);
  }
  return out;
}

/**
 * A heater shield: a top edge that dips gently in the middle, straight sides, and curved flanks
 * meeting in a point at the bottom.
 */
function shield(cx: number, top: number, halfWidth: number, height: number): Shape {
  const left = cx - halfWidth;
  const right = cx + halfWidth;
  const shoulder = top + height * 0.42;
  const bottom = top + height;
  const dip = height * 0.04;
  const points: Point[] = [
    ...quadratic([left, top], [cx - halfWidth * 0.5, top], [cx, top + dip], 12),
    ...quadratic([cx, top + dip], [cx + halfWidth * 0.5, top], [right, top], 12).slice(1),
    [right, shoulder],
    ...quadratic([right, shoulder], [right, top + height * 0.82], [cx, bottom], 24).slice(1),
    ...quadratic([cx, bottom], [left, top + height * 0.82], [left, shoulder], 24).slice(1),
  ];
  return polygon(points);
}

/** An almond eye: the lens where two circles overlap. */
function eyeLens(cx: number, cy: number, halfWidth: number, halfHeight: number): Shape {
  // Circle through (cx ± halfWidth, cy) and (cx, cy ∓ halfHeight): r = (w² + h²) / 2h.
  const r = (halfWidth ** 2 + halfHeight ** 2) / (2 * halfHeight);
  return intersect(circle(cx, cy + (r - halfHeight), r), circle(cx, cy - (r - halfHeight), r));
}

/** A speech bubble: a rounded box with a tail at the lower left. */
function speechBubble(x0: number, y0: number, x1: number, y1: number, r: number, tail: readonly Point[]): Shape {
  return union(roundedRect(x0, y0, x1, y1, r), polygon(tail));
}

// ---------------------------------------------------------------- rasteriser

const SUPERSAMPLE = 8;

/** Paints layers bottom to top; each pixel is the average of SUPERSAMPLE² samples. */
function paint(size: number, layers: ReadonlyArray<readonly [Shape, Rgb]>, background: Rgb | undefined): PNG {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  const n = SUPERSAMPLE * SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = (px + (sx + 0.5) / SUPERSAMPLE) / size;
          const y = (py + (sy + 0.5) / SUPERSAMPLE) / size;
          let colour = background;
          for (const [shape, fill] of layers) if (shape(x, y)) colour = fill;
          if (colour) {
            r += colour[0];
            g += colour[1];
            b += colour[2];
            covered++;
          }
        }
      }
      const i = (py * size + px) * 4;
      if (covered === 0) {
        png.data[i] = png.data[i + 1] = png.data[i + 2] = png.data[i + 3] = 0;
      } else {
        // Colour is the average over covered samples (no dark fringes); alpha is the coverage.
        png.data[i] = Math.round(r / covered);
        png.data[i + 1] = Math.round(g / covered);
        png.data[i + 2] = Math.round(b / covered);
        png.data[i + 3] = Math.round((255 * covered) / n);
      }
    }
  }
  return png;
}

// ---------------------------------------------------------------- the two icons

export function drawColorIcon(size = 192): PNG {
  // Teams shows the colour icon on its own tile, so the symbol keeps a margin all round.
  const bubble = speechBubble(0.2, 0.22, 0.8, 0.7, 0.1, [
    [0.29, 0.66],
    [0.45, 0.66],
    [0.26, 0.82],
  ]);
  const guard = shield(0.5, 0.285, 0.15, 0.355);
  const eye = eyeLens(0.5, 0.425, 0.105, 0.058);
  const iris = circle(0.5, 0.425, 0.043);
  const pupil = circle(0.5, 0.425, 0.019);
  const glint = circle(0.513, 0.412, 0.008);
  return paint(
    size,
    [
      [bubble, WHITE],
      [guard, NHS_DARK_BLUE],
      [eye, WHITE],
      [iris, NHS_BLUE],
      [pupil, NHS_DARK_BLUE],
      [glint, WHITE],
    ],
    NHS_BLUE,
  );
}

export function drawOutlineIcon(size = 32): PNG {
  // Drawn on the 32-pixel grid: a 2-pixel bubble outline with a solid tail, a solid shield inside
  // with the eye cut out of it, and the pupil left standing in the cut-out.
  const px = 1 / size;
  const outer = union(
    roundedRect(2 * px, 3 * px, 30 * px, 23 * px, 5 * px),
    polygon([
      [6 * px, 21 * px],
      [13 * px, 21 * px],
      [5.5 * px, 29.5 * px],
    ]),
  );
  const inner = roundedRect(4 * px, 5 * px, 28 * px, 21 * px, 3 * px);
  const ring = minus(outer, inner);
  const guard = minus(shield(0.5, 7 * px, 6 * px, 12.5 * px), eyeLens(0.5, 12 * px, 4.2 * px, 2.3 * px));
  const pupil = circle(0.5, 12 * px, 1.25 * px);
  return paint(
    size,
    [
      [ring, WHITE],
      [guard, WHITE],
      [pupil, WHITE],
    ],
    undefined,
  );
}

function main(): void {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'manifest');
  const color = join(dir, 'color.png');
  const outline = join(dir, 'outline.png');
  writeFileSync(color, PNG.sync.write(drawColorIcon()));
  writeFileSync(outline, PNG.sync.write(drawOutlineIcon()));
  console.log(`wrote ${color}\nwrote ${outline}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
