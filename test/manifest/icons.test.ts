import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { drawColorIcon, drawOutlineIcon } from '../../scripts/make-icons.ts';
import { ROOT } from '../../scripts/package.ts';

const committed = (file: string) => PNG.sync.read(readFileSync(join(ROOT, 'manifest', file)));

describe('the committed icons', () => {
  it('are the ones scripts/make-icons.ts draws (regenerate with `npx tsx scripts/make-icons.ts`)', () => {
    expect(Buffer.compare(committed('color.png').data, drawColorIcon().data)).toBe(0);
    expect(Buffer.compare(committed('outline.png').data, drawOutlineIcon().data)).toBe(0);
  });

  it('have anti-aliased edges, not hard blocks', () => {
    const outline = committed('outline.png');
    const partial = new Set<number>();
    for (let i = 3; i < outline.data.length; i += 4) if (outline.data[i]! > 0 && outline.data[i]! < 255) partial.add(outline.data[i]!);
    expect(partial.size).toBeGreaterThan(5);
  });

  it('keep a margin round the colour symbol so Teams can crop the tile', () => {
    const color = committed('color.png');
    for (let x = 0; x < 192; x++) {
      for (const y of [0, 1, 190, 191]) {
        const i = (y * 192 + x) * 4;
        expect([color.data[i], color.data[i + 1], color.data[i + 2]]).toEqual([0, 94, 184]);
      }
    }
  });
});
